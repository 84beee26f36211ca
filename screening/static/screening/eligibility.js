// The eligibility form's live verdict: each change sends the form to the server's rule
// (the same one a save uses) and shows the verdict, the failing criteria and the unanswered
// ones beside the form. No rule is repeated here.
(function () {
  "use strict";
  // the user's language: Django's JavaScript catalog (admin:jsi18n); English without it
  const gettext = window.gettext || ((text) => text);
  const form = document.getElementById("eligibilityassessment_form");
  const box = document.getElementById("live-verdict");
  if (!form || !box) return;
  const verdict = box.querySelector(".verdict");
  const failing = box.querySelector(".failing");
  const unknown = box.querySelector(".unknown");
  let timer = null;
  let sequence = 0;

  function list(title, items) {
    const wrap = document.createElement("div");
    if (!items.length) return wrap;
    const heading = document.createElement("strong");
    heading.textContent = title;
    const ul = document.createElement("ul");
    for (const text of items) {
      const li = document.createElement("li");
      li.textContent = text;
      ul.appendChild(li);
    }
    wrap.append(heading, ul);
    return wrap;
  }

  function render(data) {
    verdict.textContent = data.verdict;
    verdict.className = "verdict " + (data.eligible === true ? "eligible" : data.eligible === false ? "not-eligible" : "undecided");
    failing.replaceChildren(list(gettext("Failing criteria"), (data.failing || []).map((c) => c.code + ": " + c.text)));
    unknown.replaceChildren(list(gettext("Not answered yet"), data.unknown && data.unknown.length ? [data.unknown.join(", ")] : []));
  }

  function ask() {
    const mine = ++sequence;
    fetch(box.dataset.url, { method: "POST", body: new FormData(form), credentials: "same-origin" })
      .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
      .then((data) => { if (mine === sequence) render(data); })
      .catch(() => {
        if (mine !== sequence) return;
        verdict.textContent = gettext("The verdict cannot be computed just now: it is computed again when you save.");
        verdict.className = "verdict undecided";
      });
  }

  function later() {
    clearTimeout(timer);
    timer = setTimeout(ask, 250);
  }

  form.addEventListener("change", later);
  form.addEventListener("input", later);

  // "answer every exclusion No", only after the explicit confirmation is ticked
  const tick = document.getElementById("id_no_exclusion_applies");
  if (tick) {
    const button = document.createElement("button");
    button.type = "button";
    button.id = "all-exclusions-no";
    button.className = "button";
    button.textContent = gettext("Answer every exclusion criterion No");
    button.disabled = !tick.checked;
    tick.closest(".form-row, .fieldBox, div").appendChild(button);
    tick.addEventListener("change", () => { button.disabled = !tick.checked; });
    // an exclusion answered Yes contradicts the confirmation: it is withdrawn, visibly
    form.addEventListener("change", (event) => {
      const input = event.target;
      if (/^e\d+$/.test(input.name) && input.value === "true" && input.checked && tick.checked) {
        tick.checked = false;
        button.disabled = true;
      }
    });
    button.addEventListener("click", () => {
      if (!tick.checked) return;
      for (let n = 1; n <= 19; n++) {
        const no = form.querySelector('input[name="e' + n + '"][value="false"]');
        if (no) no.checked = true;
      }
      ask();
    });
  }
  ask();
})();
