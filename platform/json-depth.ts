/**
 * How deeply a JSON request nests arrays and objects, measured without recursion: V8's JSON.parse copes with any
 * depth, but whatever walks the value afterwards recursively (variable coercion in graphql-js, Apollo, JSON.stringify)
 * overflows the stack somewhere past ~10,000 levels, which answered HTTP 500. Checking before anything walks the value
 * turns that into a 400 for the cost of one pass over the characters (strings are skipped with indexOf).
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;

/** Whether the JSON text nests arrays/objects more than `max` levels deep (the top-level value is level 1). */
export function jsonTextNestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      // To the closing quote: one not preceded by an odd number of backslashes.
      for (;;) {
        const end = text.indexOf('"', i + 1);
        if (end === -1) return false; // unterminated: JSON.parse refuses it anyway
        let backslashes = 0;
        for (let j = end - 1; text.charCodeAt(j) === BACKSLASH; j--) backslashes++;
        i = end;
        if (backslashes % 2 === 0) break;
      }
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > max) return true;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
    }
  }
  return false;
}

/** The same for a value already parsed (a WebSocket message's variables), iteratively. */
export function valueNestsDeeperThan(value: unknown, max: number): boolean {
  if (value === null || typeof value !== 'object') return false;
  const stack: [object, number][] = [[value, 1]];
  while (stack.length) {
    const [current, depth] = stack.pop()!;
    if (depth > max) return true;
    for (const child of Array.isArray(current) ? current : Object.values(current)) {
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
    }
  }
  return false;
}
