"""The JavaScript the browser check runs in each page (publish/browser.py): elements
that point to the network, the page's width against the screen's, what printing cuts on
the right of an A4 page, where an element of the first screen ends, axe-core's run.
Each returns plain JSON for the verdicts of publish/browser_verdicts.py."""

from __future__ import annotations

JS_PRINT_CLIP = r"""
(pageWidth) => {
  const out = [];
  for (const el of document.querySelectorAll('main table, main svg, main img, main pre')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0) continue;
    let limit = pageWidth;
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement)
      if (getComputedStyle(a).overflowX !== 'visible')
        limit = Math.min(limit, a.getBoundingClientRect().right);
    if (r.right <= limit + 1) continue;
    const caption = el.querySelector ? el.querySelector('caption') : null;
    let name = el.tagName.toLowerCase();
    if (typeof el.className === 'string' && el.className.trim())
      name += '.' + el.className.trim().split(/\s+/)[0];
    if (caption) name += ` « ${caption.textContent.trim().slice(0, 60)} »`;
    out.push(`${name} : ${Math.round(r.right - limit)} px coupés`);
    if (out.length >= 3) break;
  }
  return out;
}
"""
JS_TOP = """sel => { const e = document.querySelector(sel);
  if (!e) return null; const r = e.getBoundingClientRect();
  const row = e.querySelector('tbody tr'); const first = row ? row.getBoundingClientRect() : r;
  return first.bottom + window.scrollY; }"""

# Elements that would load something from the network, even if no request fired.
JS_OFFLINE_REFS = r"""
() => {
  const local = u => /^(file:|data:|blob:|about:|javascript:|#)/i.test(u);
  const out = [];
  const attrs = [['script[src]', 'src'], ['img[src]', 'src'], ['iframe[src]', 'src'],
    ['embed[src]', 'src'], ['object[data]', 'data'], ['source[src]', 'src'],
    ['video[src]', 'src'], ['audio[src]', 'src'], ['link[href]', 'href'],
    ['image[href]', 'href'], ['use[href]', 'href']];
  for (const [sel, attr] of attrs) {
    for (const el of document.querySelectorAll(sel)) {
      let v = el.getAttribute(attr) || '';
      try { v = new URL(v, document.baseURI).href; } catch (e) {}
      if (v && !local(v)) out.push(`<${el.tagName.toLowerCase()} ${attr}="${v}">`);
    }
  }
  return [...new Set(out)];
}
"""

# Page width against the emulated device width (not innerWidth: under mobile emulation
# Chromium widens innerWidth to the content), and the outermost elements that stick out.
JS_OVERFLOW = r"""
(deviceWidth) => {
  const sw = document.documentElement.scrollWidth;
  const layout = document.documentElement.clientWidth;
  const res = {scrollWidth: sw, layoutWidth: layout, culprits: []};
  if (sw <= deviceWidth && layout <= deviceWidth) return res;
  const vw = Math.max(layout, deviceWidth);
  const clips = el => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement)
      if (getComputedStyle(a).overflowX !== 'visible') return true;
    return false;
  };
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.right <= vw + 1 || clips(el)) continue;
    const p = el.parentElement;
    if (p && p !== document.body && p.getBoundingClientRect().right > vw + 1) continue;
    let name = el.tagName.toLowerCase();
    if (typeof el.className === 'string' && el.className.trim())
      name += '.' + el.className.trim().split(/\s+/).slice(0, 2).join('.');
    res.culprits.push(`${name} (${Math.round(r.width)} px)`);
    if (res.culprits.length >= 3) break;
  }
  return res;
}
"""

JS_AXE = r"""
async (tags) => {
  const r = await axe.run(document, {runOnly: {type: 'tag', values: tags},
                                     resultTypes: ['violations', 'incomplete']});
  const slim = v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length,
                      target: v.nodes.length ? v.nodes[0].target.join(' ') : ''});
  return {version: axe.version, violations: r.violations.map(slim),
          incomplete: r.incomplete.map(v => v.id)};
}
"""
