// A little progressive JavaScript; every page works without it.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  // Portals: while a crawl runs, reload the page now and then so its results appear.
  const refresh = document.querySelector("[data-refresh]");
  if (refresh) {
    setTimeout(() => window.location.reload(), Number(refresh.dataset.refresh) * 1000);
  }
  // Ask before deleting.
  for (const form of document.querySelectorAll("form[data-confirm]")) {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  }
});
