/**
 * The one store of this page: a value, a pure reducer and the listeners that hear of each change.
 * The room state (state.js) and this page's own UI state (ui.js) are two instances of it.
 *
 *   dispatch(event) ─► reducer(state, event) ─► new state ─► listeners(state, previous, event)
 *
 * Listeners run only when the reducer returned a new object. No DOM: unit-tested in Node.
 */

/**
 * @template S
 * @template {{type: string}} E
 * @typedef {(state: S, previous: S, event: E) => void} Listener
 */

/**
 * @template S
 * @template {{type: string}} E
 * @typedef {{getState: () => S, dispatch: (event: E) => void, subscribe: (listener: Listener<S, E>) => () => boolean}} Store
 */

/**
 * @template S
 * @template {{type: string}} E
 * @param {(state: S, event: E) => S} reducer
 * @param {S} initial
 * @returns {Store<S, E>}
 */
export function createStore(reducer, initial) {
  let state = initial;
  /** @type {Set<Listener<S, E>>} */
  const listeners = new Set();
  return {
    getState: () => state,
    dispatch(event) {
      const previous = state;
      state = reducer(state, event);
      if (state !== previous) for (const listener of listeners) listener(state, previous, event);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/**
 * The entry of a table of handlers (reducers, reactions, actions) for a type, or undefined: own
 * keys only, so that no message type reaches `Object.prototype` (`toString`, `constructor`, …).
 * @template F
 * @param {Record<string, F>} table @param {string} type @returns {F | undefined}
 */
export function lookup(table, type) {
  return Object.hasOwn(table, type) ? table[type] : undefined;
}
