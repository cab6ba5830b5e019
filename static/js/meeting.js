// The meeting screen: one case at a time; j/k or the arrow keys move through the agenda.
// Cases load with htmx into #case; forms inside a case post with htmx and swap the case in place.
(function () {
  "use strict";

  function links() {
    return Array.from(document.querySelectorAll("#agenda [data-case-url]"));
  }

  function currentIndex(all) {
    const index = all.findIndex((link) => link.getAttribute("aria-current") === "true");
    return index === -1 ? 0 : index;
  }

  function show(link) {
    if (!link || !window.htmx) {
      return;
    }
    links().forEach((other) => {
      other.removeAttribute("aria-current");
      other.classList.remove("active");
    });
    link.setAttribute("aria-current", "true");
    link.classList.add("active");
    link.scrollIntoView({ block: "nearest" });
    window.history.replaceState(null, "", "?item=" + link.dataset.item);
    window.htmx.ajax("GET", link.dataset.caseUrl, { target: "#case", swap: "innerHTML" });
  }

  function move(step) {
    const all = links();
    if (!all.length) {
      return;
    }
    const next = currentIndex(all) + step;
    if (next >= 0 && next < all.length) {
      show(all[next]);
    }
  }

  function typing(target) {
    if (!target) {
      return false;
    }
    const tag = target.tagName;
    return target.isContentEditable || tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT";
  }

  document.addEventListener("keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey || typing(event.target)) {
      return;
    }
    if (event.key === "j" || event.key === "ArrowDown") {
      event.preventDefault();
      move(1);
    } else if (event.key === "k" || event.key === "ArrowUp") {
      event.preventDefault();
      move(-1);
    }
  });

  document.addEventListener("click", (event) => {
    const link = event.target.closest("#agenda [data-case-url]");
    if (link && !event.ctrlKey && !event.metaKey && !event.shiftKey) {
      event.preventDefault();
      show(link);
    }
  });

  // After a case is swapped in: say which case is shown (a short status, not the whole case), and if the
  // person was working inside the old case (they just submitted a form), put focus somewhere sensible rather than
  // letting it fall back to the top of the page: the first field with an error, else the case heading.
  let focusWasInCase = false;
  document.addEventListener("htmx:beforeSwap", (event) => {
    if (event.detail.target && event.detail.target.id === "case") {
      focusWasInCase = event.detail.target.contains(document.activeElement);
    }
  });
  // After settling: until then htmx keeps the old attributes on elements whose id is unchanged (an old error class).
  document.addEventListener("htmx:afterSettle", (event) => {
    const box = event.detail.target;
    if (!box || box.id !== "case") {
      return;
    }
    const heading = box.querySelector("h2");
    const invalid = box.querySelector(".is-invalid, [aria-invalid='true']");
    const status = document.getElementById("case-status");
    if (status && heading) {
      status.textContent = (invalid ? "Not saved: check the form. " : "") + "Showing " + heading.textContent.trim() + ".";
    }
    if (focusWasInCase) {
      (invalid || heading || box).focus();
    }
    focusWasInCase = false;
  });

  // Invalid input (400) and a closed meeting (409) come back as a case fragment to show, so the
  // person typing sees the message and keeps what they typed.
  document.addEventListener("htmx:beforeSwap", (event) => {
    const status = event.detail.xhr.status;
    if (status === 400 || status === 409) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();
