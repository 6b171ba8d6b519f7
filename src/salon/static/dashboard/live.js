// Draws the live rooms from /dashboard/live.json with DOM calls (the same markup the server
// renders for the first paint in dashboard/live_page.py).

/** @param {number} joinedAt @param {number} now @returns {string} */
export function since(joinedAt, now) {
  const minutes = Math.max(0, Math.floor((now - joinedAt) / 60000));
  if (minutes < 1) return "just now";
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** @param {string} tag @param {Record<string, string>} attrs @param {(Node | string)[]} children */
function el(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  for (const child of children) node.append(child);
  return node;
}

/**
 * @typedef {{displayName: string, role: string, joinedAt: number, reconnecting: boolean}} LivePerson
 * @typedef {{roomName: string, roomUrl: string, knocking: number, locked: boolean, participants: LivePerson[]}} LiveRoom
 * @param {Element} list @param {LiveRoom[]} rooms @param {number} now @param {HTMLTemplateElement} empty
 */
export function renderRooms(list, rooms, now, empty) {
  if (rooms.length === 0) {
    list.replaceChildren(empty.content.cloneNode(true));
    return;
  }
  list.replaceChildren(...rooms.map((room) => {
    const facts = [`${room.participants.length} in the room`];
    if (room.knocking) facts.push(`${room.knocking} knocking`);
    if (room.locked) facts.push("locked");
    const people = room.participants.map((p) => el("li", { "data-testid": "live-participant", "data-role": p.role }, [
      el("span", { class: "name" }, [p.displayName]), " ",
      el("span", { class: `badge ${p.role}` }, [p.role]), " ",
      el("span", { class: "muted" }, [el("time", { "data-since": String(p.joinedAt) }, [since(p.joinedAt, now)]), p.reconnecting ? " · reconnecting" : ""]),
    ]));
    return el("article", { class: "live-room", "data-testid": "live-room", "data-room-name": room.roomName }, [
      el("h3", {}, [el("a", { href: room.roomUrl, target: "_blank", rel: "noopener" }, [el("code", {}, [room.roomName])])]),
      el("p", { class: "muted" }, [facts.join(" · ")]),
      el("ul", { class: "people" }, people),
    ]);
  }));
}
