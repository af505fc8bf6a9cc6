// "Select all" on the export page of a sheet: ticks or clears every column of the chosen
// sheet. The package's own page wires this with an inline handler, which the Content
// Security Policy refuses; this file is served from the site itself.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const toggle = document.getElementById("id_select_all_toggle");
  if (!toggle) {
    return;
  }
  toggle.addEventListener("change", () => {
    const boxes = document.querySelectorAll(
      '.selectable-field-export-row input[type="checkbox"]',
    );
    for (const box of boxes) {
      box.checked = toggle.checked;
    }
  });
});
