// The split as a bar chart: text for the terminal, SVG for a file. Each bar is a lane's observed
// share; a marker shows the share the configuration intends.

export interface Bar {
  lane: string;
  count: number;
  share: number;
  intended?: number;
}

export interface Chart {
  title: string;
  bars: Bar[];
  note?: string;
}

const TEXT_WIDTH = 40;

/** One line per lane: `█` up to the observed share, `|` at the intended one. */
export function textBar(bar: Bar): string {
  const cells = Array.from({ length: TEXT_WIDTH }, (_, i): string => (i < Math.round(bar.share * TEXT_WIDTH) ? "█" : "·"));
  if (bar.intended !== undefined) cells[Math.min(TEXT_WIDTH - 1, Math.round(bar.intended * TEXT_WIDTH))] = "|";
  return cells.join("");
}

const escapeXml = (text: string): string =>
  text.replace(/[<>&"']/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c]!);

/** The same charts as one SVG document. */
export function svg(charts: Chart[]): string {
  const LABEL = 140;
  const BAR = 360;
  const ROW = 24;
  const out: string[] = [];
  let y = 0;
  for (const chart of charts) {
    out.push(`<text x="8" y="${y + 20}" font-weight="bold">${escapeXml(chart.title)}</text>`);
    y += 32;
    for (const bar of chart.bars) {
      const share = `${(100 * bar.share).toFixed(2)}%`;
      const intended = bar.intended === undefined ? "" : ` (intended ${(100 * bar.intended).toFixed(2)}%)`;
      out.push(`<text x="8" y="${y + 16}">${escapeXml(bar.lane)}</text>`);
      out.push(`<rect x="${LABEL}" y="${y + 4}" width="${BAR}" height="16" fill="#eee"/>`);
      out.push(`<rect x="${LABEL}" y="${y + 4}" width="${(bar.share * BAR).toFixed(1)}" height="16" fill="#3b7dd8"/>`);
      if (bar.intended !== undefined) {
        const x = (LABEL + bar.intended * BAR).toFixed(1);
        out.push(`<line x1="${x}" y1="${y + 1}" x2="${x}" y2="${y + 23}" stroke="#000" stroke-width="2"/>`);
      }
      out.push(`<text x="${LABEL + BAR + 8}" y="${y + 16}">${bar.count.toLocaleString("en-US")} ${share}${intended}</text>`);
      y += ROW;
    }
    if (chart.note !== undefined) {
      out.push(`<text x="8" y="${y + 16}" font-style="italic">${escapeXml(chart.note)}</text>`);
      y += ROW;
    }
    y += 8;
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="860" height="${y}" font-family="sans-serif" font-size="13">\n<rect width="100%" height="100%" fill="#fff"/>\n${out.join("\n")}\n</svg>\n`;
}
