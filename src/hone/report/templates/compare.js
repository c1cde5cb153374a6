// The compare view: a side-by-side diff of any two attempts, computed in the page from the
// versions of the changed files (embedded in a static report, `api/files` in `hone ui`).
"use strict";
(function () {
  const live = document.body.dataset.mode === "live";
  const embedded = JSON.parse(document.getElementById("hone-data").textContent || "{}");
  let files = embedded.files || null;
  const CONTEXT = 3;
  const $ = (id) => document.getElementById(id);
  const esc = (s) => String(s == null ? "" : s).replace(/[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

  // Line diff: common prefix and suffix, then a longest common subsequence of the middle.
  function lineDiff(a, b) {
    let s = 0;
    while (s < a.length && s < b.length && a[s] === b[s]) s++;
    let e = 0;
    while (e < a.length - s && e < b.length - s && a[a.length - 1 - e] === b[b.length - 1 - e]) e++;
    const A = a.slice(s, a.length - e), B = b.slice(s, b.length - e), n = A.length, m = B.length;
    const ops = [];
    for (let i = 0; i < s; i++) ops.push(["=", i, i]);
    if (n * m > 4e6) {  // too large to align: all old lines out, all new lines in
      for (let i = 0; i < n; i++) ops.push(["-", s + i, null]);
      for (let j = 0; j < m; j++) ops.push(["+", null, s + j]);
    } else {
      const L = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
      for (let i = n - 1; i >= 0; i--) {
        for (let j = m - 1; j >= 0; j--) {
          L[i][j] = A[i] === B[j] ? L[i + 1][j + 1] + 1 : Math.max(L[i + 1][j], L[i][j + 1]);
        }
      }
      let i = 0, j = 0;
      while (i < n || j < m) {
        if (i < n && j < m && A[i] === B[j]) { ops.push(["=", s + i, s + j]); i++; j++; }
        else if (i < n && (j === m || L[i + 1][j] >= L[i][j + 1])) { ops.push(["-", s + i, null]); i++; }
        else { ops.push(["+", null, s + j]); j++; }
      }
    }
    for (let k = 0; k < e; k++) ops.push(["=", a.length - e + k, b.length - e + k]);
    return ops;
  }

  // Rows of the side-by-side table: removed and added lines paired, context around changes.
  function sideBySide(a, b) {
    const ops = lineDiff(a, b), rows = [];
    let k = 0;
    while (k < ops.length) {
      if (ops[k][0] === "=") { rows.push(["=", ops[k][1], ops[k][2]]); k++; continue; }
      const del = [], add = [];
      while (k < ops.length && ops[k][0] !== "=") {
        if (ops[k][0] === "-") del.push(ops[k][1]); else add.push(ops[k][2]);
        k++;
      }
      for (let r = 0; r < Math.max(del.length, add.length); r++) {
        rows.push(["~", del[r] == null ? null : del[r], add[r] == null ? null : add[r]]);
      }
    }
    const near = rows.map(() => false);
    rows.forEach((r, i) => {
      if (r[0] === "~") for (let d = -CONTEXT; d <= CONTEXT; d++) if (rows[i + d]) near[i + d] = true;
    });
    const cell = (lines, i, cls) => i == null ? `<td class="ln"></td><td class="${cls} none"></td>` :
      `<td class="ln">${i + 1}</td><td class="${cls}">${esc(lines[i])}</td>`;
    let html = "", skipped = 0;
    rows.forEach((r, i) => {
      if (!near[i]) { skipped++; return; }
      if (skipped) html += `<tr class="skip"><td colspan="4">⋯ ${skipped} unchanged line(s)</td></tr>`;
      skipped = 0;
      html += "<tr>" + cell(a, r[1], r[0] === "~" ? "old" : "same") +
        cell(b, r[2], r[0] === "~" ? "new" : "same") + "</tr>";
    });
    if (skipped) html += `<tr class="skip"><td colspan="4">⋯ ${skipped} unchanged line(s)</td></tr>`;
    return html;
  }

  async function load() {
    if (files || !live) return files;
    const res = await fetch("api/files" + location.search);
    if (res.ok) files = await res.json();
    return files;
  }

  async function compare() {
    const a = $("cmp-a").value, b = $("cmp-b").value, out = $("cmp-out"), note = $("cmp-note");
    out.innerHTML = "";
    const f = await load();
    if (!f || f.too_big) {
      note.textContent = "the files are too large to embed: compare with `hone diff A B`";
      return;
    }
    const ta = f.trees[a], tb = f.trees[b];
    if (!ta || !tb) { note.textContent = `no commit for #${ta ? b : a}`; return; }
    const paths = Object.keys(ta).filter((p) => ta[p] !== tb[p]);
    note.textContent = paths.length ? `${paths.length} file(s) differ` : "no difference";
    const text = (sha) => sha == null ? [] : f.blobs[sha].split("\n");
    out.innerHTML = paths.map((p) => `<h3>${esc(p)}` +
      (ta[p] == null ? " (added)" : tb[p] == null ? " (removed)" : "") + "</h3>" +
      `<table class="sbs"><colgroup><col class="ln"><col><col class="ln"><col></colgroup>` +
      `<thead><tr><th colspan="2">#${esc(a)}</th>` +
      `<th colspan="2">#${esc(b)}</th></tr></thead><tbody>` +
      sideBySide(text(ta[p]), text(tb[p])) + "</tbody></table>").join("");
  }

  // Selecting an attempt proposes it against its parent; any two ids can be typed in.
  document.addEventListener("hone:select", (ev) => {
    const { id, parent } = ev.detail;
    $("cmp-a").value = parent == null ? id : parent;
    $("cmp-b").value = id;
  });
  $("cmp-go").addEventListener("click", compare);
  for (const id of ["cmp-a", "cmp-b"]) {
    $(id).addEventListener("keydown", (ev) => { if (ev.key === "Enter") compare(); });
  }
})();
