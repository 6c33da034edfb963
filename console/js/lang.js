/* Before the app starts: the page's language as the person last chose it (a classic script: the CSP
 * allows no inline script). */
try { if (localStorage.getItem("chengxin.console.lang") === "en") document.documentElement.lang = "en"; } catch (e) { /* private mode */ }
