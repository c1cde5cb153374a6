// hone's report and dashboard: draws the journal's overview with Plotly, a sortable table and
// one attempt's details. Static reports embed all the data; `hone ui` polls its JSON endpoints.
"use strict";
(function () {
  const COLORS = { baseline: "#17becf", kept: "#2ca02c", discarded: "#9aa0a6",
    failed: "#d62728", rejected: "#9467bd", running: "#ff7f0e", duplicate: "#bcbd22",
    held: "#e6ab02", vetoed: "#7f7f7f" };
  const STATUSES = Object.keys(COLORS);
  const COLUMNS = [
    ["id", "#", "num"], ["parent", "parent", "num"], ["status", "status", ""],
    ["score", "score", "num"], ["vs_parent", "vs parent", "num"],
    ["vs_baseline", "vs baseline", "num"], ["stage", "stage", ""],
    ["seconds", "time", "num"], ["tokens", "tokens", "num"], ["usd", "$", "num"],
    ["flags", "flags", "flags"], ["hypothesis", "hypothesis", "hyp"]];
  const root = document.body;
  const live = root.dataset.mode === "live";
  const embedded = JSON.parse(document.getElementById("hone-data").textContent || "{}");
  const state = { data: embedded.overview || null, details: embedded.details || {},
    selected: null, sort: ["id", 1], text: "", status: "", version: null };
  const PLOT_CONFIG = { responsive: true, displaylogo: false };

  const esc = (s) => String(s == null ? "" : s).replace(/[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  const num = (x, d) => (x == null || !isFinite(x)) ? "—" : Number(x).toPrecision(d || 6)
    .replace(/(\.\d*?)0+(e|$)/, "$1$2").replace(/\.(e|$)/, "$1");
  const pct = (x) => x == null ? "" : (x >= 0 ? "+" : "") + (100 * x).toFixed(2) + "%";
  const pctCls = (x) => x == null ? "" : x > 0 ? "better" : x < 0 ? "worse" : "";
  const dur = (s) => s == null ? "" : s < 90 ? s.toFixed(1) + " s" : s < 5400 ?
    (s / 60).toFixed(1) + " min" : (s / 3600).toFixed(2) + " h";
  const minutes = (s) => s == null ? null : s / 60;
  const statusTag = (s) => `<span class="st" style="background:${COLORS[s] || "#888"}">` +
    `${esc(s)}</span>`;
  const tokens = (a) => (a.tokens_in == null && a.tokens_out == null) ? null :
    (a.tokens_in || 0) + (a.tokens_out || 0);

  function interval(iv) {
    if (!iv) return "";
    const lo = iv.low == null ? "−∞" : pct(iv.low), hi = iv.high == null ? "+∞" : pct(iv.high);
    const ci = `${Math.round(iv.confidence * 100)}% CI [${lo}, ${hi}]`;
    return iv.low == null || iv.high == null ?
      `${ci} (${iv.runs} vs ${iv.baseline_runs} runs: too few to bound)` : ci;
  }

  // -- header -------------------------------------------------------------------------------
  function card(k, v, s) {
    return `<div class="card"><div class="k">${esc(k)}</div><div class="v">${v}</div>` +
      `<div class="s">${s || ""}</div></div>`;
  }
  // Holds waiting for a person, vetoes and the taint they left: a card when there are any.
  function reviewCard(r) {
    const ids = (xs) => (xs || []).map((i) => "#" + i).join(", ");
    const lines = [["held", r.held], ["vetoed", r.vetoed], ["tainted", r.tainted]]
      .filter(([, xs]) => xs && xs.length).map(([k, xs]) => `${k} ${ids(xs)}`);
    if (!lines.length) return "";
    const waiting = (r.held || []).length;
    return card("review", waiting ? `<span class="flag">${waiting} held</span>` : "done",
      esc(lines.join(" · ")) + (waiting ? " · hone approve ID / hone veto ID" : ""));
  }

  function renderHeader(d) {
    const s = d.summary;
    document.getElementById("run-name").textContent = d.run;
    document.title = `hone · ${d.run}`;
    const dir = d.direction === "max" ? "higher is better" : "lower is better";
    document.getElementById("objective").textContent =
      `${d.score_expr} (${dir}) from \`${d.objective}\` in ${d.repo}`;
    const champ = s.champion || {};
    const byStatus = STATUSES.filter((k) => s.by_status[k])
      .map((k) => `${s.by_status[k]} ${k}`).join(", ");
    let cost = s.usd == null ? "—" : "$" + s.usd.toFixed(2);
    const tok = s.tokens_in == null ? "" : `${s.tokens_in} in / ${s.tokens_out} out tokens`;
    document.getElementById("summary").innerHTML = [
      card("baseline → best", `${num(s.baseline)} → ${num(champ.score)}`,
        `champion #${champ.id == null ? "—" : champ.id}`),
      card("gain over baseline", `<span class="${pctCls(s.gain)}">${pct(s.gain) || "—"}</span>`,
        interval(s.gain_interval)),
      card("attempts", String(s.attempts), esc(byStatus)),
      card("time", dur(s.elapsed) || "0 s", s.running ? "running" : "finished"),
      card("cost", cost, tok),
    ].join("") + (s.holdout_runs ? card("holdout runs", String(s.holdout_runs), "") : "")
      + (s.repairs && s.repairs.made ? card("repairs", String(s.repairs.made),
        `${s.repairs.passed} passed, ${s.repairs.kept} kept`) : "")
      + reviewCard(s.review || {});
    const badge = document.getElementById("live-badge");
    if (live) {
      badge.hidden = false;
      badge.className = "badge" + (s.running ? "" : " done");
      badge.textContent = s.running ? "live · running" : "live · idle";
      document.getElementById("updated").textContent =
        "updated " + new Date().toLocaleTimeString();
    }
  }

  // -- plots --------------------------------------------------------------------------------
  function onClick(el) {
    el.on("plotly_click", (ev) => {
      const p = ev.points && ev.points[0];
      if (p && p.customdata != null) select(Number(p.customdata));
    });
  }
  const baseLayout = (extra) => Object.assign({ margin: { l: 60, r: 50, t: 30, b: 40 },
    uirevision: "keep", hovermode: "closest", legend: { orientation: "h", y: -0.18 },
    plot_bgcolor: "#fff", paper_bgcolor: "#fff" }, extra);

  function scorePlot(d) {
    const done = d.attempts.filter((a) => a.finished != null || a.status === "running");
    const t = (a) => minutes(a.finished != null ? a.finished : a.started);
    const hover = (a) => `#${a.id} ${a.status}<br>score ${num(a.score)}<br>` +
      esc((a.hypothesis || "").slice(0, 90));
    const traces = [];
    for (const st of STATUSES) {
      const pts = done.filter((a) => a.status === st && a.score != null);
      if (!pts.length) continue;
      traces.push({ type: "scatter", mode: "markers", name: st, x: pts.map(t),
        y: pts.map((a) => a.score), customdata: pts.map((a) => a.id),
        text: pts.map(hover), hoverinfo: "text",
        marker: { color: COLORS[st], size: st === "kept" ? 10 : 7,
          symbol: st === "kept" ? "star" : "circle", line: { width: 0 } } });
    }
    const steps = d.champion_steps;
    if (steps.length) {
      const end = Math.max(...done.map((a) => t(a) || 0), minutes(steps[steps.length - 1].t));
      traces.push({ type: "scatter", mode: "lines", name: "champion", line: { shape: "hv",
        color: "#1d2330", width: 2 }, x: steps.map((s) => minutes(s.t)).concat([end]),
        y: steps.map((s) => s.score).concat([steps[steps.length - 1].score]),
        hoverinfo: "skip" });
    }
    const shapes = [];
    if (d.summary.baseline != null) {
      shapes.push({ type: "line", xref: "paper", x0: 0, x1: 1, y0: d.summary.baseline,
        y1: d.summary.baseline, line: { color: COLORS.baseline, dash: "dash", width: 1.5 } });
      traces.push({ type: "scatter", mode: "lines", name: "baseline score", x: [null], y: [null],
        line: { color: COLORS.baseline, dash: "dash" } });
    }
    const hold = done.filter((a) => a.holdout && a.holdout.length);
    if (hold.length) {
      traces.push({ type: "scatter", mode: "markers+lines", name: "holdout",
        yaxis: d.holdout_own_axis ? "y2" : "y",
        x: hold.map(t), y: hold.map((a) => a.holdout[a.holdout.length - 1]),
        customdata: hold.map((a) => a.id), text: hold.map((a) => `#${a.id} holdout ` +
          a.holdout.map((h) => num(h)).join(", ")), hoverinfo: "text",
        marker: { symbol: "diamond", size: 9, color: "#e377c2" },
        line: { dash: "dot", color: "#e377c2" } });
    }
    // Attempts without a score (failed, rejected) sit on a strip under the plot.
    const noScore = done.filter((a) => a.score == null && a.id !== 0);
    if (noScore.length) {
      traces.push({ type: "scatter", mode: "markers", name: "no score", yaxis: "y3",
        x: noScore.map(t), y: noScore.map(() => 0), customdata: noScore.map((a) => a.id),
        text: noScore.map((a) => `#${a.id} ${a.status} at ${esc(a.stage)}<br>` +
          esc((a.reason || "").slice(0, 100))), hoverinfo: "text",
        marker: { symbol: "x", size: 8, color: noScore.map((a) => COLORS[a.status]) } });
    }
    const layout = baseLayout({ shapes, xaxis: { title: { text: "elapsed (min)" },
      zeroline: false }, yaxis: { title: { text: d.score_expr }, domain: [0.12, 1] },
      yaxis3: { domain: [0, 0.06], showticklabels: false, showgrid: false, zeroline: false,
        fixedrange: true },
      updatemenus: [{ type: "buttons", direction: "left", x: 1, xanchor: "right", y: 1.12,
        showactive: true, buttons: [
          { label: "linear", method: "relayout", args: [{ "yaxis.type": "linear" }] },
          { label: "log", method: "relayout", args: [{ "yaxis.type": "log" }] }] }] });
    if (hold.length && d.holdout_own_axis) layout.yaxis2 = { title: { text: "holdout" }, overlaying: "y",
      side: "right", showgrid: false };
    return [traces, layout];
  }

  function gainPlot(d) {
    const steps = d.champion_steps.filter((s) => s.gain != null);
    const traces = [];
    if (steps.length) {
      const arr = (s, side) => !s.interval ? 0 : s.interval[side] == null ? 0 :
        Math.abs(100 * (s.interval[side] - s.interval.estimate));
      traces.push({ type: "scatter", mode: "lines+markers", name: "champion vs baseline",
        x: steps.map((s) => minutes(s.t)), y: steps.map((s) => 100 * s.gain),
        customdata: steps.map((s) => s.id), line: { shape: "hv", color: COLORS.kept },
        text: steps.map((s) => `#${s.id} ${pct(s.gain)}<br>${interval(s.interval)}`),
        hoverinfo: "text", error_y: { type: "data", symmetric: false,
          array: steps.map((s) => arr(s, "high")), arrayminus: steps.map((s) => arr(s, "low")),
          color: "#7bc47b" } });
    }
    // Decision evidence (estimated gain of each candidate over the champion it faced).
    const ev = d.attempts.filter((a) => a.decision && a.decision.estimate != null);
    if (ev.length) {
      const iv = (a, i) => a.decision.interval && a.decision.interval[i] != null ?
        Math.abs(100 * (a.decision.interval[i] - a.decision.estimate)) : 0;
      traces.push({ type: "scatter", mode: "markers", name: "candidate vs champion",
        x: ev.map((a) => minutes(a.finished)), y: ev.map((a) => 100 * a.decision.estimate),
        customdata: ev.map((a) => a.id), hoverinfo: "text",
        text: ev.map((a) => `#${a.id} ${a.status}: ${pct(a.decision.estimate)}<br>` +
          esc(a.decision.rule || "")),
        marker: { color: ev.map((a) => COLORS[a.status] || "#888"), size: 6, opacity: 0.7 },
        error_y: { type: "data", symmetric: false, array: ev.map((a) => iv(a, 1)),
          arrayminus: ev.map((a) => iv(a, 0)), thickness: 1, width: 0, color: "#c5c9d0" } });
    }
    const layout = baseLayout({ xaxis: { title: { text: "elapsed (min)" } },
      yaxis: { title: { text: "gain % (positive = better)" }, zeroline: true } });
    return [traces, layout];
  }

  function lineagePlot(d) {
    const by = new Map(d.attempts.map((a) => [a.id, a]));
    const onPath = new Set();
    let c = d.summary.champion ? by.get(d.summary.champion.id) : null;
    while (c) { onPath.add(c.id); c = c.parent == null ? null : by.get(c.parent); }
    const edges = { x: [], y: [] }, best = { x: [], y: [] }, merges = { x: [], y: [] };
    for (const a of d.attempts) {
      const p = a.parent == null ? null : by.get(a.parent);
      if (p) {
        const e = onPath.has(a.id) ? best : edges;
        e.x.push(p.id, a.id, null); e.y.push(p.depth, a.depth, null);
      }
      const q = a.parent2 == null ? null : by.get(a.parent2);
      if (q) { merges.x.push(q.id, a.id, null); merges.y.push(q.depth, a.depth, null); }
    }
    const traces = [
      { type: "scatter", mode: "lines", name: "parent", x: edges.x, y: edges.y,
        line: { color: "#c9ced8", width: 1 }, hoverinfo: "skip" },
      { type: "scatter", mode: "lines", name: "champion's line", x: best.x, y: best.y,
        line: { color: "#e6a700", width: 3 }, hoverinfo: "skip" }];
    if (merges.x.length) traces.push({ type: "scatter", mode: "lines", name: "merge (parent2)",
      x: merges.x, y: merges.y, line: { color: COLORS.rejected, width: 1.5, dash: "dot" },
      hoverinfo: "skip" });
    traces.push({ type: "scatter", mode: "markers", name: "attempt", showlegend: false,
      x: d.attempts.map((a) => a.id), y: d.attempts.map((a) => a.depth),
      customdata: d.attempts.map((a) => a.id), hoverinfo: "text",
      text: d.attempts.map((a) => `#${a.id} ← #${a.parent == null ? "—" : a.parent}` +
        (a.parent2 != null ? ` + #${a.parent2}` : "") + ` ${a.status}<br>score ${num(a.score)}` +
        `<br>${esc((a.hypothesis || "").slice(0, 90))}`),
      marker: { size: d.attempts.map((a) => onPath.has(a.id) ? 11 : 7),
        color: d.attempts.map((a) => COLORS[a.status] || "#888"),
        line: { width: d.attempts.map((a) => onPath.has(a.id) ? 1.5 : 0), color: "#1d2330" } } });
    const layout = baseLayout({ xaxis: { title: { text: "attempt #" }, zeroline: false },
      yaxis: { title: { text: "generation" }, autorange: "reversed", zeroline: false } });
    return [traces, layout];
  }

  const plotted = {};
  function draw(id, make) {
    const el = document.getElementById(id);
    const [traces, layout] = make(state.data);
    Plotly.react(el, traces, layout, PLOT_CONFIG);
    if (!plotted[id]) { onClick(el); plotted[id] = true; }
  }

  // -- table --------------------------------------------------------------------------------
  function cell(a, key) {
    switch (key) {
      case "status": return statusTag(a.status);
      case "score": return num(a.score);
      case "vs_parent": case "vs_baseline":
        return `<span class="${pctCls(a[key])}">${pct(a[key])}</span>`;
      case "seconds": return dur(a.seconds);
      case "tokens": { const t = tokens(a); return t == null ? "" : String(t); }
      case "usd": return a.usd == null ? "" : a.usd.toFixed(4);
      case "flags": return (a.flags || []).map((f) =>
        `<span class="flag" title="${esc(f)}">${esc(f.split(":")[0])}</span>`).join(" ");
      case "stage": return esc(a.stage) + (a.reason && a.status !== "kept" &&
        a.status !== "discarded" ? `<div class="muted">${esc(a.reason.slice(0, 80))}</div>` :
        "");
      case "parent": return a.parent == null ? "" : String(a.parent) +
        (a.parent2 != null ? " + " + a.parent2 : "");
      default: return esc(a[key]);
    }
  }
  function sortValue(a, key) {
    if (key === "tokens") return tokens(a);
    if (key === "flags") return (a.flags || []).length || null;
    return a[key];
  }
  function renderTable() {
    const d = state.data, thead = document.querySelector("#attempts thead");
    thead.innerHTML = "<tr>" + COLUMNS.map(([k, label]) => {
      const cls = state.sort[0] === k ? (state.sort[1] > 0 ? "sorted-asc" : "sorted-desc") : "";
      return `<th data-key="${k}" class="${cls}">${esc(label)}</th>`;
    }).join("") + "</tr>";
    const text = state.text.toLowerCase();
    let rows = d.attempts.filter((a) => (!state.status || a.status === state.status) &&
      (!text || `#${a.id} ${a.hypothesis} ${a.reason} ${a.stage} ${a.mutator}`.toLowerCase()
        .includes(text)));
    const [key, way] = state.sort;
    rows = rows.slice().sort((a, b) => {
      const x = sortValue(a, key), y = sortValue(b, key);
      if (x == null && y == null) return a.id - b.id;
      if (x == null) return 1;
      if (y == null) return -1;
      return (x < y ? -1 : x > y ? 1 : a.id - b.id) * way;
    });
    const champ = d.summary.champion ? d.summary.champion.id : null;
    document.querySelector("#attempts tbody").innerHTML = rows.map((a) =>
      `<tr data-id="${a.id}" class="${a.id === state.selected ? "selected" : ""}` +
      `${a.id === champ ? " champion" : ""}">` + COLUMNS.map(([k, , cls]) =>
        `<td class="${cls}">${cell(a, k)}</td>`).join("") + "</tr>").join("");
    document.getElementById("shown").textContent =
      `${rows.length} of ${d.attempts.length} shown`;
    const sel = document.getElementById("filter-status");
    const present = STATUSES.filter((s) => d.attempts.some((a) => a.status === s));
    if (sel.options.length !== present.length + 1) {
      sel.innerHTML = `<option value="">all statuses</option>` +
        present.map((s) => `<option value="${s}">${s}</option>`).join("");
      sel.value = state.status;
    }
  }

  // -- one attempt --------------------------------------------------------------------------
  async function detailsOf(id) {
    if (state.details[id]) return state.details[id];
    if (!live) return null;
    const res = await fetch(`api/attempt/${id}` + location.search);
    if (!res.ok) throw new Error(`attempt ${id}: HTTP ${res.status}`);
    const det = await res.json();
    const a = state.data.attempts.find((x) => x.id === id);
    if (a && a.status !== "running") state.details[id] = det;  // finished ones never change
    return det;
  }
  function kv(pairs) {
    return `<div class="kv">` + pairs.filter(([, v]) => v !== "" && v != null)
      .map(([k, v]) => `<div>${esc(k)}</div><div>${v}</div>`).join("") + "</div>";
  }
  function pre(title, text) {
    return text ? `<h3>${esc(title)}</h3><pre>${esc(text)}</pre>` : "";
  }
  // The holdout on a would-be champion: its score against the champion's and the baseline's.
  function holdoutLine(h) {
    if (!h) return "";
    if (h.failed) return "failed: " + esc(h.failed);
    const vs = (c, who) => c ? `${who} #${c.reference_id} ${num(c.reference)}` +
      (c.worse ? " (worse: overfit?)" : c.inconclusive ? " (inconclusive: too few runs)" : "")
      : "";
    return [num(h.score), vs(h.vs_champion, "champion"), vs(h.vs_baseline, "baseline")]
      .filter((x) => x).join(" · ");
  }
  async function renderDetail() {
    const box = document.getElementById("detail");
    const id = state.selected;
    const a = state.data.attempts.find((x) => x.id === id);
    if (!a) return;
    let det = null;
    try { det = await detailsOf(id); } catch (e) { console.warn(String(e)); }
    if (state.selected !== id) return;
    const jump = (i) => i == null ? "—" : `<a class="jump" data-id="${i}">#${i}</a>`;
    const dec = a.decision || {};
    let html = `<h2>Attempt #${a.id} ${statusTag(a.status)}</h2>` + kv([
      ["hypothesis", esc(a.hypothesis)],
      ["parent", jump(a.parent) + (a.parent2 != null ? " + " + jump(a.parent2) + " (merge)" : "")],
      ["score", num(a.score)],
      ["vs parent", pct(a.vs_parent)], ["vs baseline", pct(a.vs_baseline)],
      ["stage", esc(a.stage)], ["reason", esc(a.reason)],
      ["flags", (a.flags || []).map((f) => `<div class="flag-line">${esc(f)}</div>`).join("")],
      ["re-verified", a.reverified ? (a.reverified.passed ? "passed" : "FAILED") +
        ` · claimed ${pct(a.reverified.claimed_gain)}, clean ${pct(a.reverified.clean_gain)}` : ""],
      ["holdout", holdoutLine(a.holdout_check)],
      ["held back", a.held_back ? "yes: the holdout got worse than the champion's" : ""],
      ["review", a.review ? esc(`${a.review.action} by ${a.review.by} at ` +
        new Date(a.review.at * 1000).toLocaleString() + (a.review.note ? ` (${a.review.note})`
        : "")) : (a.status === "held" ? "waits for `hone approve` or `hone veto`" : "")],
      ["decision", dec.rule ? esc(dec.rule) + (dec.estimate != null ? ` · estimate ` +
        `${pct(dec.estimate)} vs champion` : "") + (dec.interval ? ", interval [" +
        dec.interval.map((x) => x == null ? "∞" : pct(x)).join(", ") + "]" : "") +
        (dec.p_value != null ? `, p ${num(dec.p_value, 3)}` : "") +
        (dec.runs != null ? `, ${dec.runs} run(s)` : "") : ""],
      ["mutator", esc(a.mutator)], ["commit", esc(a.commit)],
      ["time", dur(a.seconds)],
      ["tokens", tokens(a) == null ? "" : `${a.tokens_in || 0} in / ${a.tokens_out || 0} out`],
      ["cost", a.usd == null ? "" : "$" + a.usd.toFixed(4)],
      ["lines", a.lines_added == null ? "" : `+${a.lines_added} −${a.lines_removed}`],
      ["code", a.complexity ? `${a.complexity.nloc} lines of code, complexity ` +
        `${a.complexity.ccn}, ${a.complexity.functions} functions` : ""]]);
    if (det) {
      html += "<h3>Diff</h3>" + (det.diff_html || `<p class="muted">no diff</p>`) +
        (det.diff_truncated ? `<p class="muted">diff truncated</p>` : "");
      if (det.measurements.length) {
        html += "<h3>Measurements</h3><table><thead><tr><th>kind</th><th>seed</th>" +
          "<th>score</th><th>seconds</th><th>metrics</th></tr></thead><tbody>" +
          det.measurements.map((m) => `<tr><td>${esc(m.kind)}</td><td class="num">${m.seed}` +
            `</td><td class="num">${num(m.score)}</td><td class="num">${m.seconds}</td>` +
            `<td>${esc(Object.entries(m.metrics).map(([k, v]) => `${k}=${num(v)}`)
              .join("  "))}</td></tr>`).join("") + "</tbody></table>";
      }
      html += pre("Failure log tail", det.log_tail);
      for (const [name, text] of Object.entries(det.logs)) html += pre(`log: ${name}`, text);
      for (const [name, text] of Object.entries(det.lessons)) html += pre(name, text);
      for (const [name, text] of Object.entries(det.texts)) {
        html += `<details><summary>${esc(name)} (${text.length} chars)</summary>` +
          `<pre>${esc(text)}</pre></details>`;
      }
    }
    box.innerHTML = html;
  }

  function select(id) {
    state.selected = id;
    const picked = state.data.attempts.find((x) => x.id === id);
    document.dispatchEvent(new CustomEvent("hone:select",
      { detail: { id, parent: picked ? picked.parent : null } }));
    for (const tr of document.querySelectorAll("#attempts tbody tr")) {
      tr.classList.toggle("selected", Number(tr.dataset.id) === id);
    }
    renderDetail();
  }

  // -- wiring -------------------------------------------------------------------------------
  function renderAll() {
    const d = state.data;
    if (!d) return;
    renderHeader(d);
    draw("plot-score", scorePlot);
    draw("plot-gain", gainPlot);
    draw("plot-lineage", lineagePlot);
    renderTable();
    if (state.selected != null) renderDetail();
  }
  document.querySelector("#attempts thead").addEventListener("click", (ev) => {
    const th = ev.target.closest("th");
    if (!th) return;
    const k = th.dataset.key;
    state.sort = [k, state.sort[0] === k ? -state.sort[1] : 1];
    renderTable();
  });
  document.querySelector("#attempts tbody").addEventListener("click", (ev) => {
    const tr = ev.target.closest("tr");
    if (tr) select(Number(tr.dataset.id));
  });
  document.getElementById("detail").addEventListener("click", (ev) => {
    const j = ev.target.closest("a.jump");
    if (j) select(Number(j.dataset.id));
  });
  document.getElementById("filter-text").addEventListener("input", (ev) => {
    state.text = ev.target.value; renderTable();
  });
  document.getElementById("filter-status").addEventListener("change", (ev) => {
    state.status = ev.target.value; renderTable();
  });

  async function poll() {
    try {
      const res = await fetch("api/overview" + location.search);
      if (res.ok) {
        const d = await res.json();
        if (d.waiting) {
          document.getElementById("run-name").textContent = d.run;
          document.getElementById("updated").textContent = "waiting for the run to start";
        } else if (d.version !== state.version) {
          state.version = d.version; state.data = d; renderAll();
        } else {
          document.getElementById("updated").textContent =
            "updated " + new Date().toLocaleTimeString();
        }
      }
    } catch (e) {
      document.getElementById("updated").textContent = "dashboard server unreachable";
    }
    setTimeout(poll, Number(root.dataset.poll || 2000));
  }
  // The run selector (live only): another run of the repository is the same page for it.
  async function runSwitch() {
    const res = await fetch("api/runs");
    if (!res.ok) return;
    const d = await res.json();
    const sel = document.getElementById("run-switch");
    const current = new URLSearchParams(location.search).get("run") || d.default;
    if (d.runs.length < 2) return;
    for (const r of d.runs) {
      const o = document.createElement("option");
      o.value = r.name;
      o.textContent = r.name + (r.state === "going" ? " (going)" : "");
      o.selected = r.name === current;
      sel.appendChild(o);
    }
    sel.hidden = false;
    sel.addEventListener("change", () => {
      location.search = "?run=" + encodeURIComponent(sel.value);
    });
  }
  if (live) { poll(); runSwitch().catch(() => {}); } else renderAll();
})();
