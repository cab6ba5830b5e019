// pru_cases: page behaviour shared by every page (no inline scripts: the CSP allows only our own files).
document.addEventListener("htmx:responseError", (event) => {
  const status = event.detail.xhr.status;
  if (status === 401 || status === 403) {
    window.location.reload();
  }
});
