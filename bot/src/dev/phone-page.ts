import type { Request, Response, Server } from 'restify';
import { z } from 'zod';
import { AppError, checkPhoneNumber, countSegments, parseOrThrow, ValidationError, type Services } from '@switchboard/shared';
import type { SimulatedMessage } from '@switchboard/shared/simulators';
import { errorBody } from '../http/error-body';
import { sendError } from '../http/respond';
import type { DevCarrier } from './dev-carrier';

/**
 * Dev mode's "customer phone": a page (GET /dev/phone) where a developer plays a
 * customer who texts the demo enterprises' numbers through the carrier simulator and
 * sees the replies. Its small JSON API wraps the simulator's phone endpoints
 * (POST /phone/send, GET /phone/{n}/messages), validating like the real API does.
 * Mounted only in dev mode; it needs no sign-in, like a real phone.
 */
export const PHONE_PAGE_PATH = '/dev/phone';

/** A number in international form; answers the E.164 form. */
const phoneNumber = (missing: string) =>
  z
    .string({ error: missing })
    .trim()
    .max(40, 'A phone number has at most 40 characters.')
    .transform((value, ctx) => {
      const checked = checkPhoneNumber(value);
      if (checked.ok) return checked.e164!;
      ctx.addIssue({ code: 'custom', message: checked.problem ?? 'Not a phone number.' });
      return z.NEVER;
    });

/** Empty fields of the page's form count as absent. */
const optionalText = <S extends z.ZodType>(schema: S) =>
  z.preprocess((value) => (typeof value === 'string' && value.trim() === '' ? undefined : value), schema.optional());

const sendBodySchema = z
  .object({
    from: phoneNumber('Give the customer phone number that texts.'),
    to: phoneNumber('Choose the enterprise number to text.'),
    text: optionalText(z.string().max(1600, 'A text has at most 1600 characters here.')),
    mediaUrl: optionalText(z.string().trim().pipe(z.url({ protocol: /^https?$/, error: 'Give the media as an http(s) URL.' }))),
    mediaContentType: optionalText(z.string().trim().regex(/^[\w.+-]+\/[\w.+-]+$/, 'A content type is type/subtype, e.g. image/png.')),
  })
  .strict()
  .refine((body) => body.text !== undefined || body.mediaUrl !== undefined, { message: 'Write a text or give a media URL.', path: ['text'] });

const messagesQuerySchema = z.object({
  phone: phoneNumber('Give the customer phone number (phone=).'),
  with: phoneNumber('Give the enterprise number of the conversation (with=).'),
});

/** What the page shows of a simulator message. */
function viewOf(message: SimulatedMessage, phone: string) {
  return {
    id: message.id,
    mine: message.from === phone,
    from: message.from,
    to: message.to,
    text: message.text,
    media: message.media,
    status: message.status,
    error: message.error_message ? `${message.error_message}${message.error_code ? ` (${message.error_code})` : ''}` : null,
    segments: countSegments(message.text).segments,
    createdAt: message.created_at,
  };
}

class SimulatorError extends AppError {
  readonly code: string;
  readonly status: number;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status >= 400 && status < 500 ? status : 502;
    this.code = code;
  }
}

/** Calls the simulator's own HTTP API, as a phone app would. */
async function simulatorCall<T>(carrier: DevCarrier, path: string, body?: unknown): Promise<T> {
  let response: globalThis.Response;
  try {
    response = await fetch(carrier.baseUrl + path, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  } catch (error) {
    throw new SimulatorError(502, 'simulator_unreachable', `The carrier simulator at ${carrier.baseUrl} did not answer (${(error as Error).message}).`);
  }
  const json = (await response.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
  if (!response.ok) {
    throw new SimulatorError(response.status, json.error?.code ?? 'simulator_error', `The carrier simulator refused: ${json.error?.message ?? `HTTP ${response.status}`}`);
  }
  return json as T;
}

/** Mount it in dev mode only, once the carrier has started (routes may be added after listen). */
export function mountPhonePage(server: Server, carrier: DevCarrier, _services: Services): void {
  /** Runs `work`, answering errors in the API's shape. */
  const handle = (work: (req: Request) => Promise<unknown>) => async (req: Request, res: Response) => {
    try {
      res.header('cache-control', 'no-store');
      res.send(200, await work(req));
    } catch (error) {
      if (error instanceof AppError) {
        res.send(error.status, errorBody(error.code, error.message, req.getId(), error.details));
        return;
      }
      sendError(req, res, error);
    }
  };

  server.get(PHONE_PAGE_PATH, async (_req: Request, res: Response) => {
    res.sendRaw(200, PHONE_PAGE_HTML, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' });
  });

  server.get(
    `${PHONE_PAGE_PATH}/api/numbers`,
    handle(async () => ({ items: await carrier.numbers() })),
  );

  server.post(
    `${PHONE_PAGE_PATH}/api/send`,
    handle(async (req) => {
      const body = parseOrThrow(sendBodySchema, req.body ?? {}, 'message');
      if (!(await carrier.numbers()).some((n) => n.number === body.to)) {
        const message = `${body.to} is not a number of the demo enterprises' Simulator connections: choose one from the list.`;
        throw new ValidationError(`to: ${message}`, [{ path: 'to', message }]);
      }
      const media = body.mediaUrl ? [{ url: body.mediaUrl, ...(body.mediaContentType ? { content_type: body.mediaContentType } : {}) }] : undefined;
      const sent = await simulatorCall<{ id: string; status: string; delivered: boolean; webhook_status: number }>(carrier, '/phone/send', {
        from: body.from,
        to: body.to,
        ...(body.text !== undefined ? { text: body.text } : {}),
        ...(media ? { media } : {}),
      });
      return { id: sent.id, status: sent.status, delivered: sent.delivered, webhookStatus: sent.webhook_status };
    }),
  );

  server.get(
    `${PHONE_PAGE_PATH}/api/messages`,
    handle(async (req) => {
      const query = parseOrThrow(messagesQuerySchema, req.query ?? {}, 'query string');
      const { messages } = await simulatorCall<{ messages: SimulatedMessage[] }>(carrier, `/phone/${encodeURIComponent(query.phone)}/messages`);
      return { items: messages.filter((m) => m.from === query.with || m.to === query.with).map((m) => viewOf(m, query.phone)) };
    }),
  );
}

// ---------------------------------------------------------------- the page (no build step: plain HTML, CSS and JS)

const PHONE_PAGE_HTML = String.raw`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Customer phone · Switchboard dev</title>
<style>
  :root { --blue: #0b84ff; --grey: #e9e9eb; --ink: #1c1c1e; --muted: #6e6e73; --line: #d8d8dc; --bad: #c4281c; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); }
  * { box-sizing: border-box; }
  body { margin: 0; min-height: 100vh; background: linear-gradient(160deg, #eef1f6, #dfe4ec); display: flex; justify-content: center; align-items: flex-start; gap: 32px; padding: 32px 16px; flex-wrap: wrap; }
  .panel { width: 300px; background: #fff; border-radius: 16px; padding: 20px; box-shadow: 0 8px 24px rgba(0,0,0,.08); }
  .panel h1 { font-size: 18px; margin: 0 0 4px; }
  .panel p { font-size: 13px; color: var(--muted); margin: 0 0 16px; line-height: 1.4; }
  label { display: block; font-size: 12px; font-weight: 600; color: var(--muted); margin: 14px 0 4px; text-transform: uppercase; letter-spacing: .04em; }
  input, select, textarea { width: 100%; font: inherit; font-size: 14px; padding: 8px 10px; border: 1px solid var(--line); border-radius: 8px; background: #fff; color: var(--ink); }
  input:focus, select:focus, textarea:focus { outline: 2px solid var(--blue); outline-offset: -1px; border-color: transparent; }
  .hint { font-size: 12px; color: var(--muted); margin-top: 4px; }
  .phone { width: 380px; height: min(760px, calc(100vh - 64px)); min-height: 520px; background: #111; border-radius: 48px; padding: 14px; box-shadow: 0 20px 50px rgba(0,0,0,.25); }
  .screen { background: #fff; border-radius: 36px; height: 100%; display: flex; flex-direction: column; overflow: hidden; }
  .top { padding: 18px 16px 10px; text-align: center; border-bottom: 1px solid #eee; background: #f9f9fb; }
  .avatar { width: 44px; height: 44px; border-radius: 50%; margin: 0 auto 6px; background: linear-gradient(135deg, #9aa4b5, #6b7385); color: #fff; display: grid; place-items: center; font-weight: 600; font-size: 18px; }
  .who { font-size: 14px; font-weight: 600; }
  .sub { font-size: 12px; color: var(--muted); }
  .thread { flex: 1; overflow-y: auto; padding: 12px 12px 4px; display: flex; flex-direction: column; gap: 2px; }
  .empty { margin: auto; color: var(--muted); font-size: 14px; text-align: center; padding: 0 24px; }
  .msg { max-width: 78%; display: flex; flex-direction: column; margin-top: 6px; }
  .msg.mine { align-self: flex-end; align-items: flex-end; }
  .msg.theirs { align-self: flex-start; align-items: flex-start; }
  .bubble { padding: 8px 12px; border-radius: 18px; font-size: 15px; line-height: 1.35; white-space: pre-wrap; overflow-wrap: anywhere; }
  .mine .bubble { background: var(--blue); color: #fff; border-bottom-right-radius: 6px; }
  .theirs .bubble { background: var(--grey); border-bottom-left-radius: 6px; }
  .mine.failed .bubble { background: #f3d3d0; color: var(--ink); }
  .bubble img { display: block; max-width: 220px; max-height: 220px; border-radius: 12px; margin: 2px 0; }
  .bubble a { color: inherit; }
  .meta { font-size: 11px; color: var(--muted); margin: 2px 6px 0; }
  .meta.bad { color: var(--bad); }
  .composer { border-top: 1px solid #eee; padding: 8px 10px 14px; display: flex; gap: 8px; align-items: flex-end; }
  .composer textarea { resize: none; border-radius: 18px; padding: 8px 14px; max-height: 120px; }
  .send { flex: none; width: 36px; height: 36px; border-radius: 50%; border: 0; background: var(--blue); color: #fff; font-size: 18px; cursor: pointer; }
  .send:disabled { background: #b9d8fb; cursor: default; }
  .error { display: none; margin-top: 16px; padding: 10px 12px; border-radius: 8px; background: #fdecea; color: var(--bad); font-size: 13px; line-height: 1.4; }
  .error.show { display: block; }
  .error ul { margin: 6px 0 0; padding-left: 18px; }
  details { margin-top: 14px; font-size: 14px; }
  summary { cursor: pointer; color: var(--muted); font-size: 13px; }
</style>
</head>
<body>
<section class="panel">
  <h1>Customer phone</h1>
  <p>Play a customer: text a demo enterprise's number through the carrier simulator and watch the replies arrive.</p>
  <label for="phone">Your number</label>
  <input id="phone" autocomplete="off" spellcheck="false">
  <div class="hint">International form, e.g. +1 206 555 0100.</div>
  <label for="with">Texting</label>
  <select id="with"></select>
  <details>
    <summary>Attach media (MMS)</summary>
    <label for="mediaUrl">Media URL</label>
    <input id="mediaUrl" placeholder="https://example.com/photo.jpg" spellcheck="false">
    <label for="mediaType">Content type</label>
    <input id="mediaType" placeholder="image/jpeg (guessed when empty)" spellcheck="false">
  </details>
  <div id="error" class="error" role="alert"></div>
</section>
<section class="phone">
  <div class="screen">
    <div class="top"><div id="avatar" class="avatar">?</div><div id="who" class="who">Choose a number</div><div id="sub" class="sub"></div></div>
    <div id="thread" class="thread"><div class="empty">Loading…</div></div>
    <form id="composer" class="composer">
      <textarea id="text" rows="1" placeholder="Text message"></textarea>
      <button id="send" class="send" type="submit" title="Send" aria-label="Send">↑</button>
    </form>
  </div>
</section>
<script>
(function () {
  var $ = function (id) { return document.getElementById(id); };
  var numbers = [];
  var lastShown = '';
  var polling = false;
  var pollFailed = false;

  $('phone').value = localStorage.getItem('devPhone.phone') || '+1 206 555 0100';

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function showError(error) {
    var box = $('error');
    box.textContent = error.message;
    if (error.details && error.details.length) {
      var list = el('ul');
      error.details.forEach(function (d) { list.appendChild(el('li', '', d.path + ': ' + d.message)); });
      box.appendChild(list);
    }
    box.className = 'error show';
  }
  function clearError() { $('error').className = 'error'; }

  async function api(path, init) {
    var response;
    try { response = await fetch(path, init); } catch (e) { throw new Error('The server did not answer: is it still running?'); }
    var body = await response.json().catch(function () { return null; });
    if (!response.ok) {
      var e = body && body.error;
      var error = new Error(e ? e.message : 'HTTP ' + response.status);
      error.details = (e && e.details) || [];
      throw error;
    }
    return body;
  }

  function current() { return numbers.find(function (n) { return n.number === $('with').value; }); }

  function showHeader() {
    var n = current();
    $('avatar').textContent = n ? n.enterpriseName.charAt(0) : '?';
    $('who').textContent = n ? n.enterpriseName : 'Choose a number';
    $('sub').textContent = n ? n.display + (n.label ? ' · ' + n.label : '') : '';
  }

  async function loadNumbers() {
    numbers = (await api('/dev/phone/api/numbers')).items;
    var select = $('with');
    select.textContent = '';
    var groups = {};
    numbers.forEach(function (n) {
      if (!groups[n.enterpriseName]) { groups[n.enterpriseName] = el('optgroup'); groups[n.enterpriseName].label = n.enterpriseName; select.appendChild(groups[n.enterpriseName]); }
      var option = el('option', '', n.display + (n.label ? ' · ' + n.label : ''));
      option.value = n.number;
      groups[n.enterpriseName].appendChild(option);
    });
    var saved = localStorage.getItem('devPhone.with');
    if (saved && numbers.some(function (n) { return n.number === saved; })) select.value = saved;
    if (numbers.length === 0) showError({ message: 'No enterprise numbers on a Simulator carrier connection. Restart the server in dev mode to create them.' });
    showHeader();
  }

  var STATUS = { queued: 'Queued', sending: 'Sending', sent: 'Sent', delivered: 'Delivered', undelivered: 'Not delivered', failed: 'Failed', received: 'Sending…' };

  function render(items) {
    var shown = JSON.stringify(items);
    if (shown === lastShown) return;
    var fresh = lastShown === '';
    lastShown = shown;
    var thread = $('thread');
    var atBottom = thread.scrollHeight - thread.scrollTop - thread.clientHeight < 40;
    thread.textContent = '';
    if (items.length === 0) { thread.appendChild(el('div', 'empty', 'No messages yet. Say hello!')); return; }
    items.forEach(function (m) {
      var failed = m.status === 'failed' || m.status === 'undelivered';
      var row = el('div', 'msg ' + (m.mine ? 'mine' : 'theirs') + (failed ? ' failed' : ''));
      var bubble = el('div', 'bubble');
      m.media.forEach(function (media) {
        if (/^image\//.test(media.content_type)) { var img = el('img'); img.src = media.url; img.alt = media.content_type; bubble.appendChild(img); }
        else { var link = el('a', '', '📎 ' + media.content_type); link.href = media.url; link.target = '_blank'; bubble.appendChild(link); }
      });
      if (m.text) bubble.appendChild(document.createTextNode(m.text));
      row.appendChild(bubble);
      var time = new Date(m.createdAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
      var status = m.mine && m.status === 'failed' ? 'Not accepted by Switchboard' : STATUS[m.status] || m.status;
      var meta = [time, status];
      if (m.segments > 1) meta.push(m.segments + ' segments');
      if (m.error) meta.push(m.error);
      row.appendChild(el('div', 'meta' + (failed ? ' bad' : ''), meta.join(' · ')));
      thread.appendChild(row);
    });
    if (fresh || atBottom) thread.scrollTop = thread.scrollHeight;
  }

  async function refresh() {
    var phone = $('phone').value.trim();
    var other = $('with').value;
    if (polling || !phone || !other) return;
    polling = true;
    try {
      var query = new URLSearchParams({ phone: phone, with: other });
      render((await api('/dev/phone/api/messages?' + query)).items);
      if (pollFailed) { pollFailed = false; clearError(); }
    } catch (error) {
      pollFailed = true;
      showError(error);
    } finally {
      polling = false;
    }
  }

  async function send(event) {
    event.preventDefault();
    var body = { from: $('phone').value, to: $('with').value, text: $('text').value, mediaUrl: $('mediaUrl').value, mediaContentType: $('mediaType').value };
    $('send').disabled = true;
    try {
      var result = await api('/dev/phone/api/send', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      clearError();
      $('text').value = '';
      $('mediaUrl').value = '';
      $('mediaType').value = '';
      lastShown = '';
      if (!result.delivered) showError({ message: 'The carrier simulator could not hand the message to Switchboard: its webhook answered ' + (result.webhookStatus || 'nothing (unreachable)') + '.' });
      await refresh();
    } catch (error) {
      showError(error);
    } finally {
      $('send').disabled = false;
      $('text').focus();
    }
  }

  $('composer').addEventListener('submit', send);
  $('text').addEventListener('keydown', function (event) {
    if (event.key === 'Enter' && !event.shiftKey) { event.preventDefault(); $('composer').requestSubmit(); }
  });
  $('phone').addEventListener('change', function () { localStorage.setItem('devPhone.phone', $('phone').value.trim()); lastShown = ''; clearError(); refresh(); });
  $('with').addEventListener('change', function () { localStorage.setItem('devPhone.with', $('with').value); lastShown = ''; clearError(); showHeader(); refresh(); });

  loadNumbers().then(refresh).catch(showError);
  setInterval(refresh, 1500);
})();
</script>
</body>
</html>
`;
