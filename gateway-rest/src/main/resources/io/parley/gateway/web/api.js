// The REST API of the Parley gateway, as the client uses it: JSON over fetch, the session token in
// the Authorization header, and refusals as ApiError (the AIP-193 error body, read).

const DETAIL = 'type.googleapis.com/google.rpc.';

/** A refused or failed call. status 0 and reason NETWORK: the server could not be reached. */
export class ApiError extends Error {
  constructor(status, body) {
    const error = (body && body.error) || {};
    super(error.message || (status === 0 ? 'network error' : `HTTP ${status}`));
    const details = Array.isArray(error.details) ? error.details : [];
    const detail = (type) => details.find((d) => d && d['@type'] === DETAIL + type);
    const info = detail('ErrorInfo');
    this.status = status;
    this.code = error.status || '';
    this.reason = info ? info.reason : (status === 0 ? 'NETWORK' : '');
    this.metadata = (info && info.metadata) || {};
    this.localizedMessage = detail('LocalizedMessage')?.message || '';
    this.violations = detail('BadRequest')?.fieldViolations || [];
    const delay = detail('RetryInfo')?.retryDelay;
    this.retryAfterMs = delay ? Math.ceil(parseFloat(delay) * 1000) : 0;
  }

  /** Whether the same call may succeed later unchanged (the network, an overloaded server, a rate limit). */
  get transient() {
    return this.status === 0 || this.status === 503 || this.status === 504 || this.reason === 'RATE_LIMITED';
  }
}

const SESSION_OVER = new Set(['SESSION_KICKED', 'SESSION_REVOKED', 'SESSION_EXPIRED', 'SESSION_NOT_FOUND',
  'TOKEN_EXPIRED', 'TOKEN_MISSING', 'TOKEN_SIGNATURE_INVALID', 'TOKEN_MALFORMED', 'TOKEN_KEY_UNKNOWN']);

/** Whether {@code error} means the session is over and the user must sign in again. */
export function sessionOver(error) {
  return error.status === 401 || SESSION_OVER.has(error.reason);
}

const enc = encodeURIComponent;

export class Api {
  /** @param base the gateway's URL, where the page was loaded from */
  constructor(base) {
    this.base = base;
    this.token = null;
    /** Called with the ApiError when a call finds the session over. */
    this.onSessionOver = () => {};
  }

  url(path, query) {
    const url = new URL(path, this.base);
    for (const [name, value] of Object.entries(query || {})) {
      for (const v of Array.isArray(value) ? value : [value]) {
        if (v !== undefined && v !== null) url.searchParams.append(name, String(v));
      }
    }
    return url;
  }

  async call(method, path, { body, query } = {}) {
    const headers = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    let response;
    try {
      response = await fetch(this.url(path, query), {
        method, headers, cache: 'no-store', body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (e) {
      throw new ApiError(0, null);
    }
    const text = await response.text().catch(() => '');
    let json = null;
    try {
      json = text ? JSON.parse(text) : {};
    } catch (e) {
      json = null;
    }
    if (!response.ok) {
      const error = new ApiError(response.status, json);
      if (this.token && sessionOver(error)) this.onSessionOver(error);
      throw error;
    }
    return json || {};
  }

  register(username, password, nickname) {
    return this.call('POST', 'v1/users:register', { body: { username, password, nickname } });
  }

  login(username, password) {
    return this.call('POST', 'v1/sessions:login',
      { body: { username, password, terminal: 'WEB', deviceName: 'Web browser' } });
  }

  logout() {
    return this.call('POST', 'v1/sessions:logout', { body: {} });
  }

  me() {
    return this.call('GET', 'v1/users/me');
  }

  async users(ids) {
    const found = [];
    for (let i = 0; i < ids.length; i += 100) {
      const page = await this.call('GET', 'v1/users:batchGet', { query: { user_ids: ids.slice(i, i + 100) } });
      found.push(...(page.users || []));
    }
    return found;
  }

  searchUsers(query) {
    return this.call('GET', 'v1/users:search', { query: { query, page_size: 20 } });
  }

  friends() {
    return this.all('v1/friends', 'friends');
  }

  friendRequests(direction) {
    return this.call('GET', 'v1/friendRequests', { query: { direction, page_size: 100 } });
  }

  sendFriendRequest(toUserId) {
    return this.call('POST', 'v1/friendRequests', { body: { toUserId } });
  }

  acceptFriendRequest(requestId) {
    return this.call('POST', `v1/friendRequests/${enc(requestId)}:accept`, { body: {} });
  }

  rejectFriendRequest(requestId) {
    return this.call('POST', `v1/friendRequests/${enc(requestId)}:reject`, { body: {} });
  }

  groups() {
    return this.all('v1/groups', 'groups');
  }

  group(groupId) {
    return this.call('GET', `v1/groups/${enc(groupId)}`);
  }

  createGroup(name, memberIds) {
    return this.call('POST', 'v1/groups', { body: { name }, query: { member_ids: memberIds } });
  }

  invitations() {
    return this.call('GET', 'v1/groupInvitations', { query: { page_size: 100 } });
  }

  acceptInvitation(groupId) {
    return this.call('POST', `v1/groups/${enc(groupId)}/invitations:accept`, { body: {} });
  }

  declineInvitation(groupId) {
    return this.call('POST', `v1/groups/${enc(groupId)}/invitations:decline`, { body: {} });
  }

  invite(groupId, userIds) {
    return this.call('POST', `v1/groups/${enc(groupId)}/members:invite`, { body: { userIds } });
  }

  members(groupId) {
    return this.all(`v1/groups/${enc(groupId)}/members`, 'members');
  }

  setRole(groupId, userId, role) {
    return this.call('POST', `v1/groups/${enc(groupId)}/members/${enc(userId)}:setRole`, { body: { role } });
  }

  leaveGroup(groupId) {
    return this.call('POST', `v1/groups/${enc(groupId)}:leave`, { body: {} });
  }

  conversations() {
    return this.all('v1/conversations', 'conversations');
  }

  /** Messages after {@code afterSeq} (ascending) or, with {@code beforeSeq}, before it (descending). */
  messages(conversationId, { afterSeq, beforeSeq, limit }) {
    const query = { limit };
    if (beforeSeq !== undefined) query.before_seq = beforeSeq;
    else query.after_seq = afterSeq;
    return this.call('GET', `v1/conversations/${enc(conversationId)}/messages`, { query });
  }

  send(target, clientMsgId, text) {
    return this.call('POST', 'v1/messages', { body: { ...target, clientMsgId, content: { text: { text } } } });
  }

  markRead(conversationId, seq) {
    return this.call('POST', `v1/conversations/${enc(conversationId)}:markRead`, { body: { seq: String(seq) } });
  }

  typing(conversationId) {
    return this.call('POST', `v1/conversations/${enc(conversationId)}:typing`, { body: {} });
  }

  recall(conversationId, seq) {
    return this.call('POST', `v1/conversations/${enc(conversationId)}/messages/${enc(seq)}:recall`, { body: {} });
  }

  /** Every page of a listing, joined: {@code field} of each page. */
  async all(path, field) {
    const items = [];
    let pageToken;
    for (let i = 0; i < 50; i++) {
      const page = await this.call('GET', path, { query: { page_size: 100, page_token: pageToken } });
      items.push(...(page[field] || []));
      pageToken = page.nextPageToken;
      if (!pageToken) break;
    }
    return items;
  }
}
