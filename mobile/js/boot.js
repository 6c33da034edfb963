/* Before the first paint: the reader's text size and language (a classic script, run at once). */
try {
  if (localStorage.getItem("chengxin.m.largeText") === "1") document.documentElement.classList.add("large");
  if (localStorage.getItem("chengxin.m.lang") === "en") document.documentElement.lang = "en";
} catch (e) { /* private mode: defaults */ }
