// The certificate's print button (a file: the Content-Security-Policy allows no inline script).
document.getElementById("print")?.addEventListener("click", () => window.print());
