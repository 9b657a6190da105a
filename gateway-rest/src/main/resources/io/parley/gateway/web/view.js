// Building the page. User data only ever enters it as text: el() sets textContent and attributes,
// never markup, and nothing in the client assigns innerHTML.

/**
 * A new element. props: `class`, `text` (its text content), `dataset`, `on<event>` listeners,
 * boolean attributes as true/false, other attributes as strings. Children: nodes or strings
 * (inserted as text nodes); null, undefined and false are skipped.
 */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'class') node.className = value;
    else if (name === 'text') node.textContent = String(value);
    else if (name === 'dataset') Object.assign(node.dataset, value);
    else if (name.startsWith('on') && typeof value === 'function') node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined && child !== false) node.append(child);
  }
  return node;
}

/**
 * Makes {@code container}'s children the nodes that {@code render} builds for {@code items}, in
 * order, keyed by {@code keyOf}: a node equal to the one already shown for its key is kept as it
 * is, so focus and selection survive a refresh that changed nothing there.
 */
export function syncList(container, items, keyOf, render) {
  const existing = new Map();
  for (const child of container.children) existing.set(child.dataset.key, child);
  let previous = null;
  for (const item of items) {
    const key = String(keyOf(item));
    const fresh = render(item);
    fresh.dataset.key = key;
    let node = existing.get(key);
    existing.delete(key);
    if (!node || !node.isEqualNode(fresh)) {
      if (node) {
        const hadFocus = node.contains(document.activeElement);
        node.replaceWith(fresh);
        if (hadFocus) focusSame(fresh, document.activeElement);
      }
      node = fresh;
    }
    const expected = previous ? previous.nextSibling : container.firstChild;
    if (expected !== node) container.insertBefore(node, expected);
    previous = node;
  }
  for (const stale of existing.values()) stale.remove();
}

function focusSame(node, lost) {
  const target = node.querySelector('button') || node;
  if (lost === document.body && target.focus) target.focus();
}

/** The first letter of a name, for its avatar. */
export function initial(name) {
  const first = Array.from(String(name || '?').trim())[0] || '?';
  return first.toUpperCase();
}

/** A random id for client_msg_id; crypto.getRandomValues also works on plain http, unlike randomUUID. */
export function randomId() {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return 'web-' + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
