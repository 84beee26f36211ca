// Queries on a record's form: each field with a query not yet closed is flagged with a link to
// the query; for monitors and data managers each field gets a "Query" button that opens a small
// dialog asking only for the text (record, field and subject are known). The dialog's form is
// outside the record's form and posts to the server, which raises the query through the same
// service as the API and comes back to this page.
(function () {
  "use strict";
  // the user's language: Django's JavaScript catalog (admin:jsi18n); English without it
  const gettext = window.gettext || ((text) => text);
  const interpolate = window.interpolate || ((text, values) => text.replace("%s", values[0]));
  const source = document.getElementById("field-queries");
  if (!source) return;
  const data = JSON.parse(source.textContent);
  const token = document.querySelector("input[name=csrfmiddlewaretoken]");
  let dialog = null;

  function buildDialog() {
    dialog = document.createElement("dialog");
    dialog.id = "raise-query";
    dialog.innerHTML =
      '<form method="post"><h2 class="title"></h2>' +
      '<label for="raise-query-text"></label>' +
      '<textarea id="raise-query-text" name="text" rows="4" required></textarea>' +
      '<div class="buttons"><button type="button" class="cancel"></button>' +
      '<input type="submit" class="default"></div></form>';
    dialog.querySelector("label").textContent = gettext("Question for the site");
    dialog.querySelector(".cancel").textContent = gettext("Cancel");
    dialog.querySelector("input[type=submit]").value = gettext("Raise query");
    const form = dialog.querySelector("form");
    form.action = data.raise.url;
    const hidden = {
      csrfmiddlewaretoken: token ? token.value : "",
      record: data.record,
      object_id: String(data.object_id),
      field_name: "",
      next: data.raise.next,
    };
    for (const [name, value] of Object.entries(hidden)) {
      const input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      input.value = value;
      form.appendChild(input);
    }
    dialog.querySelector(".cancel").addEventListener("click", () => dialog.close());
    document.body.appendChild(dialog);
  }

  function openDialog(field, label) {
    if (!dialog) buildDialog();
    dialog.querySelector(".title").textContent = interpolate(gettext("Query on %s"), [label]);
    dialog.querySelector("input[name=field_name]").value = field;
    dialog.querySelector("textarea").value = "";
    dialog.showModal();
    dialog.querySelector("textarea").focus();
  }

  for (const [field, label] of Object.entries(data.fields)) {
    const row = document.querySelector(".form-row.field-" + field + ", .fieldBox.field-" + field);
    if (!row) continue;
    const open = data.queries[field] || [];
    if (!open.length && !data.raise) continue;
    const bar = document.createElement("div");
    bar.className = "field-query";
    bar.dataset.field = field;
    for (const query of open) {
      const flag = document.createElement("a");
      flag.className = "flag";
      flag.href = query.url;
      flag.title = query.text;
      flag.textContent = interpolate(gettext("? Query: %s"), [query.status]);
      bar.appendChild(flag);
    }
    if (open.length) row.classList.add("has-open-query");
    if (data.raise) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "raise";
      button.textContent = gettext("Query");
      button.setAttribute("aria-label", interpolate(gettext("Raise a query on %s"), [label]));
      button.addEventListener("click", () => openDialog(field, label));
      bar.appendChild(button);
    }
    row.appendChild(bar);
  }
})();
