// pru_cases: page behaviour shared by every page (no inline scripts: the CSP allows only our own files).
document.addEventListener("htmx:responseError", (event) => {
  const status = event.detail.xhr.status;
  if (status === 401 || status === 403) {
    window.location.reload();
  }
});

// A form that may take a while (an import) says so while the server works: the button is disabled so it is not
// sent twice, and the message goes into the form's status region, which screen readers announce.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.dataset.busyMessage || event.defaultPrevented) {
    return;
  }
  const status = form.querySelector("[data-busy-status]");
  if (status) {
    status.textContent = form.dataset.busyMessage;
  }
  form.querySelectorAll("[data-busy-spinner]").forEach((spinner) => spinner.classList.remove("d-none"));
  form.setAttribute("aria-busy", "true");
  // Disabled after this event, so the button's own name/value are still sent with the form.
  window.setTimeout(() => {
    form.querySelectorAll("button[type=submit]").forEach((button) => {
      button.disabled = true;
    });
  }, 0);
});

// A result that arrives with a new page (an import's rejected rows) takes the focus, so it is read first.
document.addEventListener("DOMContentLoaded", () => {
  const target = document.querySelector("[data-focus-on-load]");
  if (target) {
    target.focus();
  }
});

// In a search box that fills a list of choices, Enter moves to the first choice instead of sending the form.
document.addEventListener("keydown", (event) => {
  const input = event.target;
  if (event.key !== "Enter" || !(input instanceof HTMLInputElement) || !input.dataset.enterChooses) {
    return;
  }
  event.preventDefault();
  const first = document.querySelector(input.dataset.enterChooses + " input:not([type=hidden])");
  if (first) {
    first.focus();
  }
});

// A box that narrows a long list of choices (people to invite): typing hides the choices whose text does not match.
// Ticked choices always stay in view, so what will be sent is never hidden.
document.addEventListener("input", (event) => {
  const input = event.target;
  if (!(input instanceof HTMLInputElement) || !input.dataset.filters) {
    return;
  }
  const words = input.value.toLowerCase().trim().split(/\s+/).filter(Boolean);
  const list = document.querySelector(input.dataset.filters);
  if (!list) {
    return;
  }
  let shown = 0;
  list.querySelectorAll("[data-choice]").forEach((choice) => {
    const text = choice.textContent.toLowerCase();
    const ticked = choice.querySelector("input:checked") !== null;
    const match = ticked || words.every((word) => text.includes(word));
    choice.classList.toggle("d-none", !match);
    shown += match ? 1 : 0;
  });
  const status = document.querySelector(input.dataset.filtersStatus || "");
  if (status) {
    status.textContent = `${shown} shown`;
  }
});

// A text area with a limit counts as it is typed: "1,234 of 20,000 characters", turning into a warning past the
// limit (the server refuses the excess and keeps the text; nothing is cut here).
function countCharacters(area) {
  const limit = Number(area.dataset.limit);
  let counter = document.getElementById(`${area.id}-count`);
  if (!counter) {
    counter = document.createElement("div");
    counter.id = `${area.id}-count`;
    counter.className = "form-text";
    area.insertAdjacentElement("afterend", counter);
    area.setAttribute("aria-describedby", `${area.getAttribute("aria-describedby") || ""} ${counter.id}`.trim());
  }
  const length = area.value.length;
  const over = length > limit;
  counter.textContent = over
    ? `${length.toLocaleString("en-GB")} characters: ${(length - limit).toLocaleString("en-GB")} over the limit of ${limit.toLocaleString("en-GB")}`
    : `${length.toLocaleString("en-GB")} of ${limit.toLocaleString("en-GB")} characters`;
  counter.classList.toggle("text-danger", over);
}

document.addEventListener("input", (event) => {
  if (event.target instanceof HTMLTextAreaElement && event.target.dataset.limit && event.target.id) {
    countCharacters(event.target);
  }
});
document.addEventListener("htmx:afterSwap", () => {
  document.querySelectorAll("textarea[data-limit][id]").forEach((area) => area.value && countCharacters(area));
});
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("textarea[data-limit][id]").forEach((area) => area.value && countCharacters(area));
});
