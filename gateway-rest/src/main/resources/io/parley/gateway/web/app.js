// The Parley web client: sign-in, friends, groups, conversations and live chat, on the gateway's
// REST API and its event stream. Every piece of user data reaches the page through view.el(), as
// text.

import { Api } from './api.js';
import { EventStream } from './events.js';
import { errorText, language, t } from './i18n.js';
import { ChatStore, normalize } from './store.js';
import { el, initial, randomId, syncList } from './view.js';

const SESSION_KEY = 'parley.session';
/** How often friend requests, friendships and invitations are listed again: they have no live event. */
const SOCIAL_POLL_MS = 4000;
const RECALL_WINDOW_MS = 2 * 60 * 1000;
/** At most one typing signal per conversation this often (the server rate-limits them too). */
const TYPING_EVERY_MS = 3000;
const PAGE = 50;

document.documentElement.lang = language;
document.title = t('appName');
const api = new Api(document.baseURI);
const root = document.getElementById('root');
let current = null;

api.onSessionOver = (error) => endSession(error);

// ---- the session, kept per tab ----------------------------------------------------------------

function readSession() {
  try {
    const session = JSON.parse(sessionStorage.getItem(SESSION_KEY));
    return session && session.token && session.user ? session : null;
  } catch (e) {
    return null;
  }
}

/** Back to the sign-in form; {@code error}, if any, says why the session ended. */
function endSession(error) {
  if (!api.token) return;
  sessionStorage.removeItem(SESSION_KEY);
  if (current) current.stop();
  current = null;
  api.token = null;
  let notice = '';
  if (error) {
    const key = `sessionEnded_${error.reason}`;
    notice = t(key) !== key ? t(key) : errorText(error);
  }
  document.title = t('appName');
  showAuth(notice);
}

// ---- signing in and up ------------------------------------------------------------------------

function field(id, label, type, hint, autocomplete) {
  const input = el('input', { id, name: id, type, autocomplete, required: id !== 'auth-nickname',
    'aria-describedby': hint ? `${id}-hint` : null });
  return {
    input,
    node: el('div', { class: 'field' }, el('label', { for: id, text: label }), input,
      hint ? el('small', { id: `${id}-hint`, class: 'hint', text: hint }) : null),
  };
}

function showAuth(notice = '') {
  let signingUp = false;
  const heading = el('h2', { id: 'auth-heading' });
  const username = field('auth-username', t('username'), 'text', t('usernameHint'), 'username');
  username.input.setAttribute('autocapitalize', 'none');
  username.input.setAttribute('spellcheck', 'false');
  const nickname = field('auth-nickname', t('nickname'), 'text', null, 'nickname');
  const password = field('auth-password', t('password'), 'password', t('passwordHint'), 'current-password');
  const error = el('p', { id: 'auth-error', class: 'form-error', role: 'alert' });
  const status = el('p', { id: 'auth-status', class: 'form-status', role: 'status', text: notice });
  const submit = el('button', { id: 'auth-submit', type: 'submit', class: 'primary' });
  const toggle = el('button', { id: 'auth-toggle', type: 'button', class: 'link' });

  const setMode = (up) => {
    signingUp = up;
    heading.textContent = up ? t('signUp') : t('signIn');
    submit.textContent = up ? t('signUp') : t('signIn');
    toggle.textContent = up ? t('haveAccount') : t('needAccount');
    nickname.node.hidden = !up;
    password.input.autocomplete = up ? 'new-password' : 'current-password';
    error.textContent = '';
  };

  const form = el('form', { id: 'auth-form', class: 'card', 'aria-labelledby': 'auth-heading', novalidate: true },
    heading, username.node, nickname.node, password.node, error, status, submit, toggle);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    submit.disabled = true;
    try {
      if (signingUp) {
        await api.register(username.input.value.trim(), password.input.value, nickname.input.value.trim());
        status.textContent = t('signedUp');
      }
      const login = await api.login(username.input.value.trim(), password.input.value);
      sessionStorage.setItem(SESSION_KEY, JSON.stringify({ token: login.accessToken, user: login.user }));
      api.token = login.accessToken;
      current = new App(login.user);
    } catch (e) {
      status.textContent = '';
      error.textContent = errorText(e);
      const wrong = e.violations && e.violations[0] && { username, password, nickname }[e.violations[0].field];
      (wrong ? wrong.input : e.reason === 'USERNAME_TAKEN' ? username.input : password.input).focus();
    } finally {
      submit.disabled = false;
    }
  });
  toggle.addEventListener('click', () => setMode(!signingUp));
  setMode(false);
  root.replaceChildren(el('main', { class: 'auth' },
    el('h1', { class: 'brand' }, el('img', { src: 'app/icon.svg', alt: '', width: 40, height: 40 }), t('appName')),
    el('p', { class: 'tagline', text: t('tagline') }), form));
  username.input.focus();
}

// ---- the signed-in app ------------------------------------------------------------------------

class App {
  constructor(me) {
    this.me = me;
    this.store = new ChatStore(me.userId);
    this.users = new Map([[me.userId, me]]);
    this.askedUsers = new Set();
    this.wantedUsers = [];
    this.groups = new Map();
    this.fetchingGroups = new Set();
    this.friends = [];
    this.incoming = [];
    this.outgoing = [];
    this.invitations = [];
    this.searchResults = null;
    this.requested = new Set();
    this.open = null;
    this.showMembers = false;
    this.members = [];
    this.stopped = false;
    this.build();
    this.stream = new EventStream(api, {
      onEvent: (event) => this.onEvent(event),
      onState: (state) => this.setConnection(state),
      onSessionOver: (error) => endSession(error),
    });
    this.stream.start();
    // The listing does not wait for the stream: it shows even while the stream cannot connect.
    this.resync();
    this.refreshSocial();
    this.poller = setInterval(() => {
      if (document.visibilityState === 'visible') this.refreshSocial();
    }, SOCIAL_POLL_MS);
    this.onVisible = () => {
      if (document.visibilityState === 'visible') this.markRead();
    };
    this.onOnline = () => this.stream.reconnectNow();
    this.onOffline = () => this.stream.interrupt();
    document.addEventListener('visibilitychange', this.onVisible);
    window.addEventListener('online', this.onOnline);
    window.addEventListener('offline', this.onOffline);
  }

  stop() {
    this.stopped = true;
    this.stream.stop();
    clearInterval(this.poller);
    document.removeEventListener('visibilitychange', this.onVisible);
    window.removeEventListener('online', this.onOnline);
    window.removeEventListener('offline', this.onOffline);
  }

  // ---- layout ---------------------------------------------------------------------------------

  build() {
    const tab = (name) => el('button', { id: `tab-${name}`, type: 'button', class: 'tab', 'aria-controls': `panel-${name}`,
      onclick: () => this.showTab(name) }, el('span', { text: t(name) }), el('span', { class: 'badge', hidden: true }));
    this.connection = el('span', { id: 'connection', class: 'connection', role: 'status' });
    this.tabs = { chats: tab('chats'), friends: tab('friends'), groups: tab('groups') };
    this.conversationList = el('ul', { id: 'conversation-list', class: 'list conversations' });
    this.chatsEmpty = el('p', { class: 'empty', text: t('noChats') });
    this.panels = {
      chats: el('section', { id: 'panel-chats', class: 'panel', 'aria-label': t('chats') },
        this.conversationList, this.chatsEmpty),
      friends: this.buildFriendsPanel(),
      groups: this.buildGroupsPanel(),
    };
    this.sidebar = el('aside', { class: 'sidebar', 'aria-label': t('appName') },
      el('header', { class: 'me' },
        el('span', { class: 'avatar', 'aria-hidden': 'true', text: initial(this.name(this.me.userId)) }),
        el('span', { class: 'me-name' }, el('strong', { id: 'me-name', text: this.name(this.me.userId) }),
          el('small', { text: `@${this.me.username}` })),
        el('button', { id: 'sign-out', type: 'button', class: 'quiet', text: t('signOut'), onclick: () => this.signOut() })),
      this.connection,
      el('nav', { class: 'tabs', 'aria-label': t('appName') }, this.tabs.chats, this.tabs.friends, this.tabs.groups),
      this.panels.chats, this.panels.friends, this.panels.groups);

    this.chatTitle = el('h2', { id: 'chat-title' });
    this.chatSubtitle = el('small', { id: 'chat-subtitle' });
    this.membersButton = el('button', { id: 'members-toggle', type: 'button', class: 'quiet', text: t('members'),
      'aria-expanded': 'false', 'aria-controls': 'members-panel', onclick: () => this.toggleMembers() });
    this.olderButton = el('button', { id: 'load-older', type: 'button', class: 'quiet', text: t('loadOlder'),
      onclick: () => this.loadOlder() });
    this.messageList = el('ol', { id: 'messages', class: 'messages', 'aria-live': 'polite', 'aria-relevant': 'additions',
      'aria-labelledby': 'chat-title', tabindex: '0' });
    this.chatError = el('p', { id: 'chat-error', class: 'form-error', role: 'alert' });
    this.typingNote = el('p', { id: 'typing', class: 'typing', 'aria-live': 'polite' });
    this.composer = el('textarea', { id: 'composer-input', rows: 1, maxlength: 4000, 'aria-describedby': 'composer-hint',
      autocomplete: 'off' });
    this.composer.addEventListener('input', () => this.typed());
    this.composer.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.sendFromComposer();
      }
    });
    const composerForm = el('form', { id: 'composer', class: 'composer' },
      el('label', { for: 'composer-input', class: 'visually-hidden', text: t('composer') }),
      el('span', { id: 'composer-hint', class: 'visually-hidden', text: t('composerHint') }),
      this.composer,
      el('button', { id: 'send', type: 'submit', class: 'primary', text: t('send') }));
    composerForm.addEventListener('submit', (event) => {
      event.preventDefault();
      this.sendFromComposer();
    });
    this.chatBody = el('div', { class: 'chat-body' },
      el('header', { class: 'chat-header' },
        el('button', { id: 'back', type: 'button', class: 'quiet back', 'aria-label': t('back'), text: '←',
          onclick: () => this.closeChat() }),
        el('div', { class: 'chat-heading' }, this.chatTitle, this.chatSubtitle), this.membersButton),
      this.olderButton, this.messageList, this.typingNote, this.chatError, composerForm);
    this.chatEmpty = el('p', { id: 'chat-empty', class: 'empty', text: t('pickChat') });
    this.membersPanel = el('aside', { id: 'members-panel', class: 'members', 'aria-labelledby': 'members-heading', hidden: true });
    this.chat = el('main', { class: 'chat', id: 'chat' }, this.chatEmpty, this.chatBody);
    this.layout = el('div', { class: 'app', dataset: { view: 'list' } }, this.sidebar, this.chat, this.membersPanel);
    root.replaceChildren(this.layout);
    this.showTab('chats');
    this.renderChat();
  }

  buildFriendsPanel() {
    this.searchInput = el('input', { id: 'friend-search', type: 'search', required: true, autocomplete: 'off' });
    this.searchList = el('ul', { id: 'search-results', class: 'list', 'aria-live': 'polite' });
    this.friendsError = el('p', { id: 'friends-error', class: 'form-error', role: 'alert' });
    const search = el('form', { id: 'friend-search-form', class: 'inline-form', role: 'search' },
      el('label', { for: 'friend-search', text: t('searchUsers') }),
      el('div', { class: 'row' }, this.searchInput, el('button', { type: 'submit', text: t('search') })));
    search.addEventListener('submit', (event) => {
      event.preventDefault();
      this.search();
    });
    this.incomingList = el('ul', { id: 'incoming-requests', class: 'list' });
    this.outgoingList = el('ul', { id: 'outgoing-requests', class: 'list' });
    this.friendList = el('ul', { id: 'friend-list', class: 'list' });
    this.incomingHeading = el('h3', { text: t('incomingRequests') });
    this.outgoingHeading = el('h3', { text: t('outgoingRequests') });
    this.noFriends = el('p', { class: 'empty', text: t('noFriends') });
    return el('section', { id: 'panel-friends', class: 'panel', 'aria-label': t('friends') },
      el('h3', { text: t('addFriend') }), search, this.friendsError, this.searchList,
      this.incomingHeading, this.incomingList, this.outgoingHeading, this.outgoingList,
      el('h3', { text: t('myFriends') }), this.friendList, this.noFriends);
  }

  buildGroupsPanel() {
    this.groupNameInput = el('input', { id: 'group-name', type: 'text', required: true, maxlength: 64, autocomplete: 'off' });
    this.groupInvitees = el('div', { id: 'group-invitees', class: 'checks' });
    this.groupsError = el('p', { id: 'groups-error', class: 'form-error', role: 'alert' });
    const create = el('form', { id: 'create-group', class: 'inline-form' },
      el('label', { for: 'group-name', text: t('groupName') }), this.groupNameInput,
      el('fieldset', {}, el('legend', { text: t('inviteWhom') }), this.groupInvitees),
      el('button', { type: 'submit', class: 'primary', text: t('create') }));
    create.addEventListener('submit', (event) => {
      event.preventDefault();
      this.createGroup();
    });
    this.invitationList = el('ul', { id: 'invitation-list', class: 'list' });
    this.invitationHeading = el('h3', { text: t('invitations') });
    this.groupList = el('ul', { id: 'group-list', class: 'list' });
    this.noGroups = el('p', { class: 'empty', text: t('noGroups') });
    return el('section', { id: 'panel-groups', class: 'panel', 'aria-label': t('groups') },
      this.invitationHeading, this.invitationList,
      el('h3', { text: t('myGroups') }), this.groupList, this.noGroups,
      el('h3', { text: t('createGroup') }), create, this.groupsError);
  }

  showTab(name) {
    this.tab = name;
    for (const [key, button] of Object.entries(this.tabs)) {
      button.setAttribute('aria-pressed', String(key === name));
      this.panels[key].hidden = key !== name;
    }
  }

  setConnection(state) {
    this.connectionState = state;
    this.connection.textContent = t(state);
    this.connection.dataset.state = state;
  }

  // ---- names ----------------------------------------------------------------------------------

  name(userId) {
    const user = this.users.get(userId);
    if (!user) {
      this.needUsers([userId]);
      return userId;
    }
    return user.nickname || user.username || userId;
  }

  /** Fetches the profiles not known yet (in one batch per turn), then shows the names. */
  needUsers(ids) {
    for (const id of ids) {
      if (id && !this.users.has(id) && !this.askedUsers.has(id)) {
        this.askedUsers.add(id);
        this.wantedUsers.push(id);
      }
    }
    if (!this.wantedUsers.length || this.userFetchScheduled) return;
    this.userFetchScheduled = true;
    queueMicrotask(() => {
      const batch = this.wantedUsers;
      this.wantedUsers = [];
      this.userFetchScheduled = false;
      api.users(batch).then((users) => {
        users.forEach((user) => this.users.set(user.userId, user));
        this.render();
      }, () => batch.forEach((id) => this.askedUsers.delete(id)));
    });
  }

  groupName(groupId) {
    const group = this.groups.get(groupId);
    if (!group) {
      this.needGroup(groupId);
      return t('groups');
    }
    return group.name;
  }

  async needGroup(groupId) {
    if (this.fetchingGroups.has(groupId)) return;
    this.fetchingGroups.add(groupId);
    try {
      this.groups.set(groupId, await api.group(groupId));
      this.render();
    } catch (e) {
      // Stays unnamed.
    }
  }

  title(conversation) {
    return conversation.type === 'GROUP' ? this.groupName(conversation.groupId) : this.name(conversation.peerUserId);
  }

  preview(message) {
    if (!message) return '';
    if (message.recalled) return t('recalled');
    const content = message.content || {};
    const text = content.text ? content.text.text : content.image ? t('image') : content.file ? t('file') : t('custom');
    return message.senderId === this.me.userId ? `${t('you')}: ${text}` : text;
  }

  // ---- live events and catching up ------------------------------------------------------------

  onEvent(event) {
    if (event.subscribed) {
      // Resumed: the events missed while away follow. Otherwise pull what may have been missed.
      if (event.subscribed.resume !== 'RESUME_OUTCOME_RESUMED') this.resync();
    } else if (event.message) {
      this.received([event.message]);
    } else if (event.recall) {
      const recall = event.recall;
      this.store.recall(recall.conversationId, Number(recall.seq), recall.recalledBy);
      this.render();
    } else if (event.readReceipt) {
      const receipt = event.readReceipt;
      this.store.read(receipt.conversationId, receipt.userId, receipt.readSeq);
      this.render();
    } else if (event.typing) {
      this.someoneTypes(event.typing);
    } else if (event.edit) {
      this.edited(event.edit);
    } else if (event.resyncRequired) {
      // The stream ends next and reconnects; the catch-up after it pulls what was dropped.
    }
  }

  someoneTypes(typing) {
    if (typing.userId === this.me.userId) return;
    const conversation = this.store.get(typing.conversationId);
    const until = Date.parse(typing.expireTime || 0) || Date.now() + 5000;
    conversation.typing.set(typing.userId, until);
    this.renderTyping();
    setTimeout(() => this.renderTyping(), Math.max(0, until - Date.now()) + 50);
  }

  /** A message was edited: its new content is pulled by its seq (the event carries none). */
  async edited(edit) {
    const conversation = this.store.get(edit.conversationId);
    const seq = Number(edit.seq);
    const last = conversation.lastMessage && conversation.lastMessage.seq === seq;
    if (!conversation.messages.has(seq) && !last) return;
    try {
      const page = await api.messages(conversation.id, { afterSeq: seq - 1, limit: 1 });
      this.store.add((page.messages || []).filter((m) => Number(m.seq) === seq));
    } catch (e) {
      // Shown as it was; the next load shows the edit.
    }
    this.render();
  }

  /** Tells the others in the open chat that the user is typing, at most every few seconds. */
  typed() {
    const conversation = this.openConversation();
    if (!conversation || !this.composer.value.trim()) return;
    const now = Date.now();
    if (conversation.typingSent && now - conversation.typingSent < TYPING_EVERY_MS) return;
    conversation.typingSent = now;
    api.typing(conversation.id).catch(() => {
      // A typing signal is a courtesy: one refused or lost changes nothing.
    });
  }

  received(messages) {
    const changed = this.store.add(messages);
    for (const conversation of changed) {
      if (conversation.type === 'PRIVATE' && !conversation.peerUserId) {
        conversation.peerUserId = conversation.id.slice(2).split('_').find((id) => id !== this.me.userId) || '';
      }
      this.advance(conversation);
    }
    this.render();
    this.markRead();
  }

  /** Moves `through` over the messages now held, and pulls whatever a gap shows is missing. */
  advance(conversation) {
    // While the first page loads, `through` is not known yet; load() catches up after it.
    if (!conversation.loaded || conversation.loading) return;
    while (conversation.messages.has(conversation.through + 1)) conversation.through++;
    if (conversation.lastSeq > conversation.through) this.catchUp(conversation);
  }

  /** After every (re)connect: the listing's unread counts, and every opened conversation pulled by seq. */
  async resync() {
    try {
      this.store.applyListing(await api.conversations());
    } catch (e) {
      // The next reconnect tries again.
    }
    for (const conversation of this.store.conversations.values()) {
      if (conversation.loaded) this.catchUp(conversation);
      for (const pending of conversation.pending.values()) {
        if (pending.state === 'sending') this.deliver(conversation, pending);
      }
    }
    this.render();
    this.markRead();
  }

  async catchUp(conversation) {
    if (conversation.catching) {
      conversation.catchAgain = true;
      return;
    }
    conversation.catching = true;
    try {
      do {
        conversation.catchAgain = false;
        for (let more = true; more;) {
          const page = await api.messages(conversation.id, { afterSeq: conversation.through, limit: 200 });
          const messages = page.messages || [];
          this.store.add(messages);
          conversation.lastSeq = Math.max(conversation.lastSeq, Number(page.lastSeq || 0));
          if (messages.length) conversation.through = Math.max(conversation.through, Number(messages[messages.length - 1].seq));
          while (conversation.messages.has(conversation.through + 1)) conversation.through++;
          more = page.hasMore && messages.length > 0;
        }
      } while (conversation.catchAgain);
    } catch (e) {
      // The next event or reconnect catches up again.
    } finally {
      conversation.catching = false;
    }
    this.render();
    this.markRead();
  }

  /** The latest page of a conversation opened for the first time, then everything after it. */
  async load(conversation) {
    conversation.loaded = true;
    conversation.loading = true;
    try {
      if (conversation.lastSeq > 0) {
        const page = await api.messages(conversation.id, { beforeSeq: conversation.lastSeq + 1, limit: PAGE });
        const messages = page.messages || [];
        this.store.add(messages);
        conversation.hasOlder = !!page.hasMore;
        conversation.through = messages.reduce((max, m) => Math.max(max, Number(m.seq)), 0);
      }
    } catch (e) {
      this.chatError.textContent = errorText(e);
    } finally {
      conversation.loading = false;
    }
    await this.catchUp(conversation);
  }

  async loadOlder() {
    const conversation = this.openConversation();
    if (!conversation || !conversation.hasOlder) return;
    const oldest = conversation.oldestSeq();
    try {
      const page = await api.messages(conversation.id, { beforeSeq: oldest, limit: PAGE });
      this.store.add(page.messages || []);
      conversation.hasOlder = !!page.hasMore;
      this.renderChat({ keepScroll: true });
    } catch (e) {
      this.chatError.textContent = errorText(e);
    }
  }

  // ---- conversations --------------------------------------------------------------------------

  openConversation() {
    return this.open ? this.store.get(this.open) : null;
  }

  async openChat(conversation) {
    this.open = conversation.id;
    this.showMembers = false;
    this.chatError.textContent = '';
    this.messageList.replaceChildren();
    this.layout.dataset.view = 'chat';
    this.showTab('chats');
    this.render();
    this.composer.focus();
    if (!conversation.loaded) await this.load(conversation);
    this.renderChat({ toBottom: true });
    this.markRead();
  }

  closeChat() {
    const id = this.open;
    this.open = null;
    this.showMembers = false;
    this.layout.dataset.view = 'list';
    this.render();
    const button = this.conversationList.querySelector(`[data-key="${CSS.escape(id || '')}"] button`);
    if (button) button.focus();
  }

  async markRead() {
    const conversation = this.openConversation();
    if (!conversation || document.visibilityState !== 'visible' || this.stopped) return;
    if (conversation.lastSeq <= conversation.readSeq && conversation.unread === 0) return;
    const seq = conversation.lastSeq;
    this.store.markedRead(conversation, seq, null);
    this.render();
    try {
      const answer = await api.markRead(conversation.id, seq);
      this.store.markedRead(conversation, Number(answer.readSeq), answer.unreadCount);
    } catch (e) {
      // Read state catches up on the next mark.
    }
  }

  // ---- sending, recalling ---------------------------------------------------------------------

  sendFromComposer() {
    const conversation = this.openConversation();
    const text = this.composer.value;
    if (!conversation || !text.trim()) return;
    this.composer.value = '';
    const pending = { clientMsgId: randomId(), text, state: 'sending', senderId: this.me.userId, pending: true };
    conversation.pending.set(pending.clientMsgId, pending);
    conversation.activity = Date.now();
    this.render({ toBottom: true });
    this.deliver(conversation, pending);
  }

  async deliver(conversation, pending) {
    if (pending.inFlight) return;
    pending.inFlight = true;
    pending.state = 'sending';
    const target = conversation.type === 'GROUP' ? { toGroupId: conversation.groupId } : { toUserId: conversation.peerUserId };
    try {
      const sent = await api.send(target, pending.clientMsgId, pending.text);
      if (conversation.pending.has(pending.clientMsgId)) {
        this.received([{ messageId: sent.messageId, conversationId: sent.conversationId, seq: sent.seq,
          senderId: this.me.userId, clientMsgId: pending.clientMsgId, content: { text: { text: pending.text } },
          serverTime: sent.serverTime }]);
      }
    } catch (e) {
      if (e.transient) {
        // Sent again with the same client_msg_id: at most once, whichever attempt got through.
        setTimeout(() => this.stopped || this.deliver(conversation, pending), Math.max(e.retryAfterMs, 2000));
      } else {
        pending.state = 'failed';
        pending.error = errorText(e);
      }
    } finally {
      pending.inFlight = false;
    }
    this.render();
  }

  async recall(conversation, message) {
    try {
      const tombstone = normalize(await api.recall(conversation.id, message.seq));
      this.store.recall(conversation.id, tombstone.seq, tombstone.recalledBy || this.me.userId);
    } catch (e) {
      this.chatError.textContent = errorText(e);
    }
    this.render();
  }

  canRecall(conversation, message) {
    if (message.recalled || message.pending) return false;
    const mine = message.senderId === this.me.userId;
    if (conversation.type === 'GROUP') {
      const role = this.groups.get(conversation.groupId)?.myRole;
      if (role === 'OWNER' || (role === 'ADMIN' && !mine)) return true;
    }
    return mine && Date.now() - Date.parse(message.serverTime || 0) < RECALL_WINDOW_MS;
  }

  // ---- friends --------------------------------------------------------------------------------

  async refreshSocial() {
    try {
      const [friends, incoming, outgoing, invitations, groups] = await Promise.all([api.friends(),
        api.friendRequests('INCOMING'), api.friendRequests('OUTGOING'), api.invitations(), api.groups()]);
      this.friends = friends;
      this.incoming = (incoming.friendRequests || []).filter((r) => r.state === 'PENDING');
      this.outgoing = (outgoing.friendRequests || []).filter((r) => r.state === 'PENDING');
      this.invitations = invitations.invitations || [];
      for (const group of groups) {
        this.groups.set(group.groupId, group);
        this.store.get(`g_${group.groupId}`);
      }
      this.myGroupIds = new Set(groups.map((g) => g.groupId));
      this.needUsers([...friends.map((f) => f.userId), ...this.incoming.map((r) => r.fromUserId),
        ...this.outgoing.map((r) => r.toUserId), ...this.invitations.map((i) => i.inviterId)]);
      this.render();
    } catch (e) {
      // Listed again at the next poll.
    }
  }

  async search() {
    const query = this.searchInput.value.trim();
    this.friendsError.textContent = '';
    if (!query) return;
    try {
      const found = (await api.searchUsers(query)).users || [];
      found.forEach((user) => this.users.set(user.userId, user));
      this.searchResults = found;
    } catch (e) {
      this.searchResults = null;
      this.friendsError.textContent = errorText(e);
    }
    this.render();
  }

  async act(errorNode, action) {
    errorNode.textContent = '';
    try {
      await action();
    } catch (e) {
      errorNode.textContent = errorText(e);
    }
    await this.refreshSocial();
  }

  // ---- groups ---------------------------------------------------------------------------------

  async createGroup() {
    const name = this.groupNameInput.value.trim();
    if (!name) {
      this.groupNameInput.focus();
      return;
    }
    const invitees = [...this.groupInvitees.querySelectorAll('input:checked')].map((box) => box.value);
    await this.act(this.groupsError, async () => {
      const group = await api.createGroup(name, invitees);
      this.groups.set(group.groupId, group);
      this.groupNameInput.value = '';
      await this.openChat(this.store.get(`g_${group.groupId}`));
    });
  }

  async toggleMembers() {
    this.showMembers = !this.showMembers;
    if (this.showMembers) await this.loadMembers();
    this.render();
    this.renderMembers(true);
    if (this.showMembers) this.membersPanel.querySelector('h2')?.focus();
    else this.membersButton.focus();
  }

  async loadMembers() {
    const conversation = this.openConversation();
    if (!conversation || conversation.type !== 'GROUP') return;
    try {
      this.members = await api.members(conversation.groupId);
      this.groups.set(conversation.groupId, await api.group(conversation.groupId));
      this.needUsers(this.members.map((m) => m.userId));
      this.membersError = '';
    } catch (e) {
      this.membersError = errorText(e);
    }
  }

  async memberAction(action) {
    try {
      const result = await action();
      this.membersNotice = typeof result === 'string' ? result : '';
      this.membersError = '';
    } catch (e) {
      this.membersError = errorText(e);
    }
    await this.loadMembers();
    this.render();
    this.renderMembers(true);
  }

  // ---- signing out ----------------------------------------------------------------------------

  async signOut() {
    try {
      await api.logout();
    } catch (e) {
      // Signed out here either way.
    }
    endSession(null);
  }

  // ---- rendering ------------------------------------------------------------------------------

  render(options = {}) {
    if (this.stopped) return;
    this.renderConversations();
    this.renderFriends();
    this.renderGroups();
    this.renderChat(options);
    this.renderMembers(false);
  }

  renderConversations() {
    const conversations = this.store.byActivity().filter((c) => c.type === 'PRIVATE' || !this.myGroupIds
      || this.myGroupIds.has(c.groupId) || c.lastSeq > 0);
    this.chatsEmpty.hidden = conversations.length > 0;
    syncList(this.conversationList, conversations, (c) => c.id, (conversation) => {
      const title = this.title(conversation);
      const unread = conversation.unread;
      return el('li', {},
        el('button', { type: 'button', class: 'conversation', dataset: { conversationId: conversation.id },
          'aria-current': conversation.id === this.open ? 'true' : null,
          onclick: () => this.openChat(this.store.get(conversation.id)) },
        el('span', { class: `avatar${conversation.type === 'GROUP' ? ' group' : ''}`, 'aria-hidden': 'true', text: initial(title) }),
        el('span', { class: 'conversation-text' },
          el('span', { class: 'conversation-name', text: title }),
          el('span', { class: 'conversation-preview', text: this.preview(conversation.lastMessage) })),
        el('span', { class: 'badge unread', hidden: unread === 0, 'aria-label': t('unread', unread),
          text: unread > 99 ? '99+' : String(unread) })));
    });
    const total = this.store.totalUnread();
    this.setBadge(this.tabs.chats, total);
    document.title = total ? `(${total}) ${t('appName')}` : t('appName');
  }

  setBadge(tab, count) {
    const badge = tab.querySelector('.badge');
    badge.hidden = count === 0;
    badge.textContent = count > 99 ? '99+' : String(count);
  }

  renderFriends() {
    const friendIds = new Set(this.friends.map((f) => f.userId));
    const pendingIds = new Set(this.outgoing.map((r) => r.toUserId));
    if (this.searchResults) {
      syncList(this.searchList, this.searchResults.length ? this.searchResults : [null], (u) => (u ? u.userId : 'none'), (user) => {
        if (!user) return el('li', { class: 'empty', text: t('noUsersFound') });
        const self = user.userId === this.me.userId;
        const asked = pendingIds.has(user.userId) || this.requested.has(user.userId);
        return el('li', { class: 'person' },
          el('span', { class: 'avatar', 'aria-hidden': 'true', text: initial(this.name(user.userId)) }),
          el('span', { class: 'person-name' }, this.name(user.userId), el('small', { text: ` @${user.username}` })),
          self || friendIds.has(user.userId) ? null : el('button', { type: 'button', class: 'add-friend', disabled: asked,
            dataset: { username: user.username },
            text: asked ? t('requestSent') : t('sendRequest'),
            'aria-label': asked ? null : `${t('sendRequest')}: ${this.name(user.userId)}`,
            onclick: () => this.act(this.friendsError, async () => {
              await api.sendFriendRequest(user.userId);
              this.requested.add(user.userId);
            }) }));
      });
    } else {
      this.searchList.replaceChildren();
    }
    this.incomingHeading.hidden = this.incoming.length === 0;
    syncList(this.incomingList, this.incoming, (r) => r.requestId, (request) => el('li', { class: 'person' },
      el('span', { class: 'avatar', 'aria-hidden': 'true', text: initial(this.name(request.fromUserId)) }),
      el('span', { class: 'person-name', text: this.name(request.fromUserId) }),
      el('button', { type: 'button', class: 'primary accept', text: t('accept'),
        'aria-label': `${t('accept')}: ${this.name(request.fromUserId)}`,
        onclick: () => this.act(this.friendsError, () => api.acceptFriendRequest(request.requestId)) }),
      el('button', { type: 'button', class: 'reject', text: t('reject'),
        'aria-label': `${t('reject')}: ${this.name(request.fromUserId)}`,
        onclick: () => this.act(this.friendsError, () => api.rejectFriendRequest(request.requestId)) })));
    this.outgoingHeading.hidden = this.outgoing.length === 0;
    syncList(this.outgoingList, this.outgoing, (r) => r.requestId, (request) => el('li', { class: 'person' },
      el('span', { class: 'avatar', 'aria-hidden': 'true', text: initial(this.name(request.toUserId)) }),
      el('span', { class: 'person-name', text: this.name(request.toUserId) }),
      el('small', { class: 'muted', text: t('pending') })));
    this.noFriends.hidden = this.friends.length > 0;
    syncList(this.friendList, this.friends, (f) => f.userId, (friend) => el('li', { class: 'person' },
      el('span', { class: 'avatar', 'aria-hidden': 'true', text: initial(this.name(friend.userId)) }),
      el('span', { class: 'person-name', text: friend.remark || this.name(friend.userId) }),
      el('button', { type: 'button', class: 'message-friend', text: t('message'),
        'aria-label': `${t('message')}: ${this.name(friend.userId)}`,
        onclick: () => this.openChat(this.store.privateWith(friend.userId)) })));
    this.setBadge(this.tabs.friends, this.incoming.length);
  }

  renderGroups() {
    syncList(this.groupInvitees, this.friends, (f) => f.userId, (friend) => {
      const id = `invitee-${friend.userId}`;
      return el('div', { class: 'check' }, el('input', { type: 'checkbox', id, value: friend.userId }),
        el('label', { for: id, text: this.name(friend.userId) }));
    });
    this.invitationHeading.hidden = this.invitations.length === 0;
    syncList(this.invitationList, this.invitations, (i) => i.groupId, (invitation) => el('li', { class: 'person' },
      el('span', { class: 'avatar group', 'aria-hidden': 'true', text: initial(invitation.group?.name) }),
      el('span', { class: 'person-name' }, invitation.group ? invitation.group.name : invitation.groupId,
        el('small', { text: ` ${t('invitedBy', this.name(invitation.inviterId))}` })),
      el('button', { type: 'button', class: 'primary accept', text: t('accept'),
        'aria-label': `${t('accept')}: ${invitation.group ? invitation.group.name : ''}`,
        onclick: () => this.act(this.groupsError, () => api.acceptInvitation(invitation.groupId)) }),
      el('button', { type: 'button', class: 'reject', text: t('reject'),
        onclick: () => this.act(this.groupsError, () => api.declineInvitation(invitation.groupId)) })));
    const groups = [...this.groups.values()].filter((g) => !this.myGroupIds || this.myGroupIds.has(g.groupId));
    this.noGroups.hidden = groups.length > 0;
    syncList(this.groupList, groups, (g) => g.groupId, (group) => el('li', {},
      el('button', { type: 'button', class: 'conversation open-group', dataset: { groupId: group.groupId },
        onclick: () => this.openChat(this.store.get(`g_${group.groupId}`)) },
      el('span', { class: 'avatar group', 'aria-hidden': 'true', text: initial(group.name) }),
      el('span', { class: 'conversation-text' }, el('span', { class: 'conversation-name', text: group.name }),
        el('span', { class: 'conversation-preview', text: `${t('membersCount', group.memberCount)} · ${t(`role_${group.myRole}`)}` })))));
    this.setBadge(this.tabs.groups, this.invitations.length);
  }

  renderChat(options = {}) {
    const conversation = this.openConversation();
    this.chatEmpty.hidden = !!conversation;
    this.chatBody.hidden = !conversation;
    if (!conversation) return;
    this.chatTitle.textContent = this.title(conversation);
    const group = conversation.type === 'GROUP' ? this.groups.get(conversation.groupId) : null;
    this.chatSubtitle.textContent = group ? t('membersCount', group.memberCount) : '';
    this.membersButton.hidden = conversation.type !== 'GROUP';
    this.membersButton.setAttribute('aria-expanded', String(this.showMembers));
    this.olderButton.hidden = !conversation.hasOlder;

    const list = this.messageList;
    const nearBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
    const previousHeight = list.scrollHeight;
    const messages = conversation.ordered();
    let lastRead = 0;
    if (conversation.type === 'PRIVATE') {
      for (const message of messages) {
        if (message.senderId === this.me.userId && message.seq && message.seq <= conversation.peerReadSeq) lastRead = message.seq;
      }
    }
    syncList(list, messages, (m) => (m.pending ? `c:${m.clientMsgId}` : m.clientMsgId && m.senderId === this.me.userId
      ? `c:${m.clientMsgId}` : `s:${m.seq}`), (message) => this.renderMessage(conversation, message, lastRead));
    this.renderTyping();
    if (options.keepScroll) list.scrollTop += list.scrollHeight - previousHeight;
    else if (options.toBottom || nearBottom) list.scrollTop = list.scrollHeight;
  }

  renderTyping() {
    const conversation = this.openConversation();
    const now = Date.now();
    const names = [];
    if (conversation) {
      for (const [userId, until] of conversation.typing) {
        if (until > now) names.push(this.name(userId));
        else conversation.typing.delete(userId);
      }
    }
    const text = names.length ? t('typing', names.join(', ')) : '';
    if (this.typingNote.textContent !== text) this.typingNote.textContent = text;
  }

  renderMessage(conversation, message, lastRead) {
    const mine = message.senderId === this.me.userId;
    const classes = ['message', mine ? 'mine' : 'theirs'];
    if (message.pending) classes.push(message.state);
    if (message.recalled) classes.push('recalled');
    let body;
    if (message.recalled) {
      body = el('p', { class: 'text recalled-text', text: mine ? t('recalledByYou') : t('recalled') });
    } else if (message.pending) {
      body = el('p', { class: 'text', text: message.text });
    } else {
      body = el('p', { class: 'text', text: this.preview({ ...message, senderId: '' }) });
    }
    const when = message.serverTime ? new Date(message.serverTime) : null;
    let status = null;
    if (message.pending && message.state === 'sending') status = el('span', { class: 'status', text: t('sending') });
    else if (message.pending) {
      status = el('span', { class: 'status failed' }, `${t('failed')}: ${message.error || ''} `,
        el('button', { type: 'button', class: 'link retry', text: t('retry'),
          onclick: () => this.deliver(conversation, message) }));
    } else if (mine && message.seq === lastRead) status = el('span', { class: 'status read', text: t('read') });
    return el('li', { class: classes.join(' '), dataset: { seq: message.seq || '', clientMsgId: message.clientMsgId || '' } },
      !mine && conversation.type === 'GROUP' ? el('span', { class: 'sender', text: this.name(message.senderId) }) : null,
      body,
      el('span', { class: 'meta' },
        when ? el('time', { datetime: message.serverTime,
          text: when.toLocaleTimeString(language, { hour: '2-digit', minute: '2-digit' }) }) : null,
        message.edited && !message.recalled ? el('span', { class: 'edited', text: t('edited') }) : null,
        status,
        this.canRecall(conversation, message) ? el('button', { type: 'button', class: 'link recall', text: t('recall'),
          onclick: () => this.recall(conversation, message) }) : null));
  }

  /**
   * The members panel of the open group. Rebuilt only when {@code fresh} (its data was just
   * loaded) or when it opens, so that a message arriving leaves the invite form as the user left it.
   */
  renderMembers(fresh) {
    const conversation = this.openConversation();
    const visible = !!(this.showMembers && conversation && conversation.type === 'GROUP');
    this.membersPanel.hidden = !visible;
    this.layout.classList.toggle('with-members', visible);
    if (!visible) {
      this.membersShownFor = null;
      return;
    }
    if (!fresh && this.membersShownFor === conversation.id) return;
    this.membersShownFor = conversation.id;
    const group = this.groups.get(conversation.groupId) || {};
    const myRole = group.myRole;
    const memberIds = new Set(this.members.map((m) => m.userId));
    const order = { OWNER: 0, ADMIN: 1, MEMBER: 2 };
    const members = [...this.members].sort((a, b) => (order[a.role] ?? 3) - (order[b.role] ?? 3));
    const invitable = this.friends.filter((f) => !memberIds.has(f.userId));
    const canInvite = myRole === 'OWNER' || myRole === 'ADMIN';
    const inviteForm = el('form', { id: 'invite-form', class: 'inline-form' },
      el('fieldset', {}, el('legend', { text: t('inviteWhom') }),
        ...invitable.map((friend) => el('div', { class: 'check' },
          el('input', { type: 'checkbox', id: `invite-${friend.userId}`, value: friend.userId }),
          el('label', { for: `invite-${friend.userId}`, text: this.name(friend.userId) })))),
      el('button', { type: 'submit', class: 'primary', text: t('invite') }));
    inviteForm.addEventListener('submit', (event) => {
      event.preventDefault();
      const ids = [...inviteForm.querySelectorAll('input:checked')].map((box) => box.value);
      if (ids.length) {
        this.memberAction(async () => {
          const answer = await api.invite(conversation.groupId, ids);
          return t('invited', (answer.added || []).length + (answer.invited || []).length);
        });
      }
    });
    const memberList = el('ul', { id: 'member-list', class: 'list' });
    syncList(memberList, members, (m) => m.userId, (member) => el('li', { class: 'person' },
      el('span', { class: 'avatar', 'aria-hidden': 'true', text: initial(this.name(member.userId)) }),
      el('span', { class: 'person-name' }, this.name(member.userId),
        el('small', { class: `role role-${member.role}`, text: ` ${t(`role_${member.role}`)}` })),
      myRole === 'OWNER' && member.userId !== this.me.userId && member.role !== 'OWNER'
        ? el('button', { type: 'button', class: 'set-role', text: member.role === 'ADMIN' ? t('makeMember') : t('makeAdmin'),
          'aria-label': `${member.role === 'ADMIN' ? t('makeMember') : t('makeAdmin')}: ${this.name(member.userId)}`,
          onclick: () => this.memberAction(() => api.setRole(conversation.groupId, member.userId,
            member.role === 'ADMIN' ? 'MEMBER' : 'ADMIN')) })
        : null));
    const focused = this.membersPanel.contains(document.activeElement) ? document.activeElement.id : null;
    this.membersPanel.replaceChildren(...[
      el('header', { class: 'members-header' },
        el('h2', { id: 'members-heading', tabindex: '-1', text: `${t('members')} (${members.length})` }),
        el('button', { type: 'button', class: 'quiet', text: t('close'), onclick: () => this.toggleMembers() })),
      el('p', { class: 'form-error', role: 'alert', text: this.membersError || '' }),
      el('p', { class: 'form-status', role: 'status', text: this.membersNotice || '' }),
      memberList,
      canInvite && invitable.length ? inviteForm : null,
      myRole && myRole !== 'OWNER' ? el('button', { type: 'button', class: 'danger', id: 'leave-group', text: t('leaveGroup'),
        onclick: () => this.memberAction(async () => {
          await api.leaveGroup(conversation.groupId);
          this.showMembers = false;
          this.closeChat();
          await this.refreshSocial();
        }) }) : null].filter(Boolean));
    if (focused) document.getElementById(focused)?.focus();
  }
}

// ---- start ------------------------------------------------------------------------------------

const saved = readSession();
if (saved) {
  api.token = saved.token;
  current = new App(saved.user);
} else {
  showAuth();
}
