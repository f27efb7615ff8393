/**
 * Hostile strings for the XSS browser test (xss.test.ts): each one, if a renderer ever interpreted it instead
 * of showing it, does something the test notices: a dialog (`alert`, `confirm`, `prompt`), `__pwned` set on a
 * window, or a request to the beacon (a server the test listens on) or to http://evil.test.
 *
 * Every payload is one line, at most 100 characters (so it fits a visitor name) and has no leading or trailing
 * white space (names and message bodies are trimmed), so the same string can go into every field.
 */

export type XssCategory =
  | 'script tag'
  | 'event handler'
  | 'javascript: URL'
  | 'data: URL'
  | 'SVG'
  | 'CSS'
  | 'HTML resource'
  | 'markdown link'
  | 'template injection'
  | 'bidi override'
  | 'zero-width'
  | 'email';

export interface XssPayload {
  category: XssCategory;
  text: string;
  /**
   * What a reader sees of it in a message body, when our markdown subset formats part of it (a safe link's
   * label, bold, code); by default the text itself, character for character.
   */
  shownInBody?: string;
}

/** The corpus, its resource URLs pointing at `beacon` (an origin the test listens on). */
export function xssCorpus(beacon: string): XssPayload[] {
  const B = beacon;
  const E = 'http://evil.test';
  const p = (category: XssCategory, text: string, shownInBody?: string): XssPayload => ({ category, text, ...(shownInBody !== undefined && { shownInBody }) });
  const corpus = [
    p('script tag', '<script>alert(1)</script>'),
    p('script tag', '<ScRiPt>window.__pwned=1</sCrIpT>'),
    p('script tag', `<script src="${B}/script.js"></script>`),
    p('script tag', '"><script>confirm(document.domain)</script>'),
    p('script tag', '</textarea></p></li><script>prompt(1)</script>'),
    p('script tag', `<script>fetch('${B}/fetch')</script>`),
    p('script tag', '</script><script>alert(1)</script>'),
    p('script tag', "';alert(1);//"),

    p('event handler', '<img src=x onerror=alert(1)>'),
    p('event handler', '<body onload=alert(1)>'),
    p('event handler', '<details open ontoggle=alert(1)>'),
    p('event handler', '<input autofocus onfocus=alert(1)>'),
    p('event handler', '<video><source onerror="window.__pwned=1"></video>'),
    p('event handler', '<div onmouseover=alert(1) style=position:fixed;inset:0>x</div>'),
    p('event handler', '" onmouseover="alert(1)" autofocus onfocus="alert(1)'),
    p('event handler', "' onfocus='alert(1)' autofocus x='"),
    p('event handler', '<marquee onstart=alert(1)>x</marquee>'),
    p('event handler', '<audio src=x onerror="top.__pwned=1">'),

    p('javascript: URL', '<a href="javascript:alert(1)">click</a>'),
    p('javascript: URL', 'javascript:alert(1)'),
    p('javascript: URL', '<a href=javascript&colon;alert(1)>x</a>'),
    p('javascript: URL', '<iframe src="javascript:alert(1)"></iframe>'),
    p('javascript: URL', '<form action="javascript:alert(1)"><button>x</button></form>'),

    p('data: URL', 'data:text/html,<script>alert(1)</script>'),
    p('data: URL', '<a href="data:text/html,<script>alert(1)</script>">x</a>'),
    p('data: URL', '<object data="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">'),
    p('data: URL', '<embed src="data:image/svg+xml,<svg onload=alert(1)>">'),
    p('data: URL', '<iframe src="data:text/html,<script>alert(1)</script>">'),

    p('SVG', '<svg onload=alert(1)>'),
    p('SVG', '<svg><script>alert(1)</script></svg>'),
    p('SVG', '<svg><animate onbegin=alert(1) attributeName=x dur=1s>'),
    p('SVG', '<svg><a xlink:href="javascript:alert(1)"><text y=20>x</text></a></svg>'),
    p('SVG', `<svg><image href="${B}/svg-image.png"/></svg>`),
    p('SVG', '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>'),

    p('CSS', `<style>@import '${B}/import.css';</style>`),
    p('CSS', `<link rel=stylesheet href="${B}/link.css">`),
    p('CSS', `<div style="background:url(${B}/inline-bg.png)">x</div>`),
    p('CSS', `<style>*{background:url("${E}/star.png")}</style>`),
    p('CSS', `<style>@font-face{font-family:x;src:url(${B}/font)}*{font-family:x}</style>`),

    p('HTML resource', `<iframe src="${B}/frame"></iframe>`),
    p('HTML resource', '<iframe srcdoc="<script>parent.alert(1)</script>">'),
    p('HTML resource', `<meta http-equiv="refresh" content="0;url=${B}/refresh">`),
    p('HTML resource', `<base href="${B}/">`),
    p('HTML resource', `<img srcset="${B}/srcset.png 1x">`),
    p('HTML resource', `<object data="${E}/object"></object>`),
    p('HTML resource', `<video poster="${B}/poster.png"></video>`),
    p('HTML resource', '<noscript><p title="</noscript><img src=x onerror=alert(1)>">'),

    // Against our subset: **bold**, *italic*, `code` and [text](url) with http(s) and mailto targets only.
    p('markdown link', '[x](javascript:alert(1))'),
    p('markdown link', '[x](JaVaScRiPt:window.__pwned=1)'),
    p('markdown link', '[x](javascript:alert%281%29)'),
    p('markdown link', '[x](  javascript:alert(1))'),
    p('markdown link', '[x](javascript&#58;window.__pwned=1)'),
    p('markdown link', '[x](&#106;avascript:window.__pwned=1)'),
    p('markdown link', '[x](\u0001javascript:window.__pwned=1)'),
    p('markdown link', '[x](vbscript:msgbox%281%29)'),
    p('markdown link', '[x](javascript://%0aalert%281%29)'),
    p('markdown link', '[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)'),
    p('markdown link', '[x](<javascript:window.__pwned=1>)'),
    p('markdown link', '[x](//evil.test/x)'),
    p('markdown link', '[x](https://ok.test "t" onmouseover="alert(1)")'),
    p('markdown link', '[a](https://ok.test)](javascript:alert(1))', 'a](javascript:alert(1))'),
    p('markdown link', '[[x](javascript:alert(1))](https://ok.test)'),
    p('markdown link', '[**x**](javascript:window.__pwned=1)'),
    p('markdown link', '**[x](javascript:window.__pwned=1)**', '[x](javascript:window.__pwned=1)'),
    p('markdown link', '`[x](javascript:alert(1))`', '[x](javascript:alert(1))'),
    p('markdown link', `![x](${B}/markdown-image.png)`, '!x'),
    p('markdown link', '[<img src=x onerror=alert(1)>](https://ok.test)', '<img src=x onerror=alert(1)>'),
    p('markdown link', '[x][evil] [evil]: javascript:alert(1)'),
    p('markdown link', '<javascript:alert(1)> <https://ok.test>'),
    p('markdown link', '&lt;script&gt;alert(1)&lt;/script&gt; &#x6A;avascript:alert(1)'),

    p('template injection', "{{constructor.constructor('alert(1)')()}}"),
    p('template injection', '${alert(1)}'),
    p('template injection', '{{7*7}} ${7*7} #{7*7}'),
    p('template injection', "{{$on.constructor('window.__pwned=1')()}}"),
    p('template injection', '<%= alert(1) %>'),
    p('template injection', '{name} {count} {position} {{name}}'),

    p('bidi override', '\u202Egnp.exe'),
    p('bidi override', 'admin\u202E\u2066 [x](javascript:alert(1))'),
    p('bidi override', '\u2067<img src=x onerror=alert(1)>\u2069'),
    p('bidi override', `\u202D${E}/lro\u202C`),
    p('bidi override', '\u200F\u061C[x](javascript:window.__pwned=1)'),
    // A bare link must read as where it goes: no reordering from inside or around it.
    p('bidi override', `${E}/\u202Etxt.exe`),
    p('bidi override', `\u202E${E}/moc.elpmaxe.www//:sptth`),

    p('zero-width', 'java\u200Bscript:alert(1)'),
    p('zero-width', '[x](java\u200Bscript:window.__pwned=1)'),
    p('zero-width', '[x](java\u200Dscript:window.__pwned=1)'),
    p('zero-width', '[x](\uFEFFjavascript:window.__pwned=1)'),
    p('zero-width', '<scr\u200Bipt>alert(1)</scr\u200Bipt>'),
    p('zero-width', '\u2060<svg onload=alert(1)>'),
    p('zero-width', '[x](\u200Chttps://ok.test)'),
    p('zero-width', 'https://ok.test\u200B.evil.test/login'),

    // Email addresses pass a strict syntax check, so these only try to break out of quotes and hrefs.
    p('email', "x'+alert+'y@evil.test"),
    p('email', "x'-confirm-1-'x@evil.test"),
    p('email', "javascript'alert-1@evil.test"),
  ];
  for (const { text } of corpus) {
    if (text.length > 100 || text.includes('\n') || text.trim() !== text) throw new Error(`unusable payload: ${JSON.stringify(text)}`);
  }
  if (new Set(corpus.map((c) => c.text)).size !== corpus.length) throw new Error('duplicate payloads');
  return corpus;
}
