/** WhatsApp rendering and choice layout (src/whatsapp/format.ts) against Meta's strict limits. */
import { htmlToWhatsApp, layoutChoice, templateParameter, WA_LIMITS } from "../src/whatsapp/format";

describe("htmlToWhatsApp", () => {
  test("tags become WhatsApp marks, entities are decoded, nothing of HTML is left", () => {
    const out = htmlToWhatsApp('<b>Kode</b>: <code>AB-12</code> <i>baru</i> <s>lama</s> &amp; &lt;x&gt; &quot;y&quot; <a href="https://x.id/?a=1&amp;b=2">situs</a>');
    expect(out).toBe('*Kode*: ```AB-12``` _baru_ ~lama~ & <x> "y" situs (https://x.id/?a=1&b=2)');
  });
  test("spaces stay outside the marks, blank marks are dropped, unknown tags are removed", () => {
    expect(htmlToWhatsApp("<b> Halo </b><i> </i><u>x</u><tg-spoiler>y</tg-spoiler>")).toBe(" *Halo*  xy");
  });
  test("a link whose text is its address appears once", () => {
    expect(htmlToWhatsApp('<a href="https://wa.me/62">https://wa.me/62</a>')).toBe("https://wa.me/62");
  });
});

describe("layoutChoice", () => {
  const opts = (n: number, title = (i: number) => `Pilihan ${i}`) => Array.from({ length: n }, (_, i) => ({ id: `o${i + 1}`, title: title(i + 1) }));

  test("up to 3 short options are reply buttons", () => {
    const l = layoutChoice(opts(3));
    expect(l.kind).toBe("buttons");
    if (l.kind === "buttons") expect(l.buttons).toHaveLength(3);
  });
  test("a 21-character title or a fourth option makes a list; every option stays", () => {
    expect(layoutChoice(opts(2, () => "x".repeat(WA_LIMITS.buttonTitle + 1))).kind).toBe("list");
    const l = layoutChoice(opts(10));
    expect(l.kind).toBe("list");
    if (l.kind === "list") expect(l.rows.map((r) => r.id)).toEqual(opts(10).map((o) => o.id));
  });
  test("more than 10 options, or a title over 24, become numbered lines — nothing cut", () => {
    const many = layoutChoice(opts(11));
    expect(many.kind).toBe("numbered");
    if (many.kind === "numbered") expect(many.lines).toHaveLength(11);
    const long = "Kemasan dan label produk pangan";
    const l = layoutChoice([{ id: "a", title: long }, ...opts(3)]);
    expect(l.kind).toBe("numbered");
    if (l.kind === "numbered") expect(l.lines[0]).toBe(`1. ${long}`);
  });
  test("a description over 72 characters is not cut either", () => {
    const l = layoutChoice([{ id: "a", title: "A", description: "d".repeat(73) }]);
    expect(l.kind).toBe("numbered");
  });
});

test("templateParameter: one line, no tab, at most four spaces in a row", () => {
  expect(templateParameter("Baris\nsatu\tdua      tiga ")).toBe("Baris satu dua    tiga");
});
