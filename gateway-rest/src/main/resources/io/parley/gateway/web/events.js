// The live event stream: GET /v1/events read as Server-Sent Events through fetch (so the token
// travels in the Authorization header, never in a URL), reconnecting with backoff whenever the
// connection drops. A reconnect resumes from the cursor of the last event received (sent as
// Last-Event-ID): the server replays what was missed, or says the cursor is too old, and then the
// app catches up by seq.

import { ApiError, sessionOver } from './api.js';

const MAX_BACKOFF_MS = 15000;
/** Silence for this long means the connection is dead: the gateway sends a heartbeat every 15 s. */
const SILENCE_MS = 40000;

export class EventStream {
  /**
   * @param api the Api whose token the stream uses
   * @param handlers onEvent(event): every event (the first of each connection is `subscribed`);
   *   onState('connecting' | 'live' | 'reconnecting' | 'replaced'); onSessionOver(ApiError)
   */
  constructor(api, handlers) {
    this.api = api;
    this.handlers = handlers;
    this.failures = 0;
    this.stopped = true;
  }

  start() {
    this.stopped = false;
    this.handlers.onState('connecting');
    this.connect();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearTimeout(this.silenceTimer);
    if (this.controller) this.controller.abort();
  }

  /** Drops the current connection (if any) and connects again at once. */
  reconnectNow() {
    if (this.stopped) return;
    clearTimeout(this.retryTimer);
    if (this.controller) this.controller.abort();
    this.failures = 0;
    this.connect();
  }

  /** Drops the current connection (the browser says it is offline) and reconnects with backoff. */
  interrupt() {
    if (this.stopped) return;
    const controller = this.controller;
    this.controller = null;
    if (controller) controller.abort();
    clearTimeout(this.silenceTimer);
    this.retry();
  }

  async connect() {
    clearTimeout(this.retryTimer);
    const controller = new AbortController();
    this.controller = controller;
    let response;
    const headers = { Accept: 'text/event-stream', Authorization: `Bearer ${this.api.token}` };
    if (this.cursor) headers['Last-Event-ID'] = this.cursor;
    try {
      response = await fetch(this.api.url('v1/events'), {
        headers,
        cache: 'no-store',
        signal: controller.signal,
      });
    } catch (e) {
      if (controller === this.controller) this.retry();
      return;
    }
    if (!response.ok) {
      const error = new ApiError(response.status, await response.json().catch(() => null));
      if (error.reason === 'INVALID_CURSOR') this.cursor = null;
      this.ended(error) || this.retry();
      return;
    }
    this.watch(controller);
    let outcome = null;
    try {
      outcome = await this.read(response.body.getReader(), controller);
    } catch (e) {
      // The connection broke or was aborted.
    }
    clearTimeout(this.silenceTimer);
    if (controller !== this.controller || this.stopped) return;
    if (outcome && this.ended(outcome)) return;
    this.retry();
  }

  /** Reads events until the stream ends; returns the ApiError of its last `event: error`, if any. */
  async read(reader, controller) {
    const decoder = new TextDecoder();
    let buffer = '';
    let data = [];
    let name = 'message';
    let failure = null;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return failure;
      this.watch(controller);
      buffer += decoder.decode(value, { stream: true });
      let end;
      while ((end = buffer.indexOf('\n')) >= 0) {
        let line = buffer.slice(0, end);
        buffer = buffer.slice(end + 1);
        if (line.endsWith('\r')) line = line.slice(0, -1);
        if (line === '') {
          if (data.length) {
            const json = JSON.parse(data.join('\n'));
            if (name === 'error') failure = new ApiError(json.error ? json.error.code : 500, json);
            else this.dispatch(json);
          }
          data = [];
          name = 'message';
        } else if (!line.startsWith(':')) {
          const colon = line.indexOf(':');
          const field = colon < 0 ? line : line.slice(0, colon);
          let text = colon < 0 ? '' : line.slice(colon + 1);
          if (text.startsWith(' ')) text = text.slice(1);
          if (field === 'data') data.push(text);
          else if (field === 'event') name = text;
        }
      }
    }
  }

  dispatch(event) {
    if (event.cursor) this.cursor = event.cursor;
    if (event.subscribed) {
      this.failures = 0;
      this.handlers.onState('live');
    }
    this.handlers.onEvent(event);
  }

  /** Whether {@code error} ends the stream for good (the session is over, or a newer stream took over). */
  ended(error) {
    if (sessionOver(error)) {
      this.stop();
      this.handlers.onSessionOver(error);
      return true;
    }
    if (error.reason === 'SUBSCRIPTION_REPLACED') {
      this.stop();
      this.handlers.onState('replaced');
      return true;
    }
    return false;
  }

  watch(controller) {
    clearTimeout(this.silenceTimer);
    this.silenceTimer = setTimeout(() => controller.abort(), SILENCE_MS);
  }

  retry() {
    if (this.stopped) return;
    this.handlers.onState('reconnecting');
    const delay = Math.min(MAX_BACKOFF_MS, 500 * 2 ** Math.min(this.failures, 5)) * (0.75 + Math.random() / 2);
    this.failures++;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }
}
