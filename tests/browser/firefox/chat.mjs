// The chat widget in Firefox: Debian's firefox-esr driven over WebDriver BiDi by puppeteer-core
// (no browser download). Run by tests/browser/test_chat_firefox.py, which prepares the data and the
// servers, passes SCENARIO as JSON in the environment and checks what landed in Tierline afterwards.
// Prints one JSON line: {"ok": true, ...} or {"ok": false, "step": ..., "error": ...} (exit 1).
//
// The widget lives in a shadow root and the hostile product page replaces Array.prototype methods, so
// the checks are small functions evaluated in the page (no selector engine or poller of ours runs there).
import puppeteer from "puppeteer-core";

const scenario = JSON.parse(process.env.SCENARIO);
const TIMEOUT = 15_000;
let step = "launch Firefox";

function widget() {
  const host = document.querySelector("[data-tierline-chat]");
  return host && host.shadowRoot;
}

async function poll(page, what, check) {
  step = what;
  const deadline = Date.now() + TIMEOUT;
  let last;
  while (Date.now() < deadline) {
    last = await page.evaluate(`(${check})()`);
    if (last === true) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out; last answer: ${JSON.stringify(last)}`);
}

function part(page, id) {
  return page.evaluateHandle(`(${widget})().getElementById(${JSON.stringify(id)})`);
}

function logHas(text) {
  return `(() => { const root = (${widget})(); return Boolean(root) && root.getElementById("tl-log").textContent.includes(${JSON.stringify(text)}); })`;
}

async function api(method, path, body) {
  const response = await fetch(scenario.server + path, {
    method, headers: { Authorization: `Bearer ${scenario.token}`, "Content-Type": "application/json" },
    body: body && JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

async function liveIssueKey() {
  step = "the conversation is in the live queue (API)";
  const deadline = Date.now() + TIMEOUT;
  while (Date.now() < deadline) {
    const live = await api("GET", "/api/v1/conversations/live");
    if (live.length) return live[0].key;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error("no live conversation");
}

async function openWithKeyboard(page) {
  step = "focus the chat button and press Enter";
  await (await part(page, "tl-open")).focus();
  await page.keyboard.press("Enter");
  await poll(page, "the panel opens with the focus in the message box", `(() => {
    const root = (${widget})();
    return !root.getElementById("tl-panel").hidden && root.activeElement && root.activeElement.id === "tl-body"
      && root.getElementById("tl-open").getAttribute("aria-expanded") === "true" || root.activeElement && root.activeElement.id;
  })`);
}

async function checkAccessible(page) {
  await poll(page, "ARIA: dialog, labelled controls, a polite live log", `(() => {
    const root = (${widget})();
    const panel = root.getElementById("tl-panel"), log = root.getElementById("tl-log");
    return panel.getAttribute("role") === "dialog" && root.getElementById(panel.getAttribute("aria-labelledby")) !== null
      && log.getAttribute("role") === "log" && log.getAttribute("aria-live") === "polite"
      && root.querySelector("label[for=tl-body]") !== null && root.getElementById("tl-shot").closest("label") !== null
      && root.getElementById("tl-close").getAttribute("aria-label") === "Close chat";
  })`);
}

async function signedCustomer(page) {
  step = "open the sample product page";
  await page.goto(scenario.url);
  await poll(page, "the widget is on the page", `(() => Boolean((${widget})()))`);
  await openWithKeyboard(page);
  await checkAccessible(page);
  step = "type a message and press Enter";
  await page.keyboard.type("The revenue chart is empty since this morning");
  await page.keyboard.press("Enter");
  await poll(page, "the message shows in the log", logHas("The revenue chart is empty since this morning"));
  await poll(page, "the identity was verified", `(() => document.querySelector("[data-tierline-chat]").dataset.state === "verified")`);
  const key = await liveIssueKey();

  step = "attach a screenshot";
  await (await part(page, "tl-shot")).uploadFile(scenario.screenshot);
  await (await page.evaluateHandle(`(${widget})().querySelector("#tl-form button[type=submit]")`)).click();
  await poll(page, "the screenshot shows in the log", logHas("[q3.png]"));

  step = "the agent replies (API)";
  await api("POST", `/api/v1/issues/${key}/comments`, { body: "Thanks Ann, we are looking at the Q3 dashboard now." });
  await poll(page, "the reply appears live", logHas("we are looking at the Q3 dashboard now"));
  await poll(page, "the reply names the agent", logHas("Alice Agent"));

  step = "press Escape";
  await page.keyboard.press("Escape");
  await poll(page, "Escape closes the panel and gives the focus back to the chat button", `(() => {
    const root = (${widget})();
    return root.getElementById("tl-panel").hidden && root.activeElement && root.activeElement.id === "tl-open"
      && root.getElementById("tl-open").getAttribute("aria-expanded") === "false";
  })`);

  step = "the agent replies while the panel is closed (API)";
  await api("POST", `/api/v1/issues/${key}/comments`, { body: "Fixed: the Q3 dashboard shows data again." });
  await poll(page, "the live region announces the reply and the button counts it", `(() => {
    const root = (${widget})();
    return root.getElementById("tl-announce").textContent === "New reply from Alice Agent"
      && root.getElementById("tl-announce").getAttribute("aria-live") === "polite"
      && root.getElementById("tl-open").textContent === "Chat with support (1 new)" || root.getElementById("tl-open").textContent;
  })`);
  return { key };
}

async function refusedCustomer(page) {
  step = "open the (hostile) product page";
  await page.goto(scenario.url);
  await poll(page, "the chat button is visible despite the page's CSS", `(() => {
    const root = (${widget})();
    if (!root) return "no widget";
    const host = root.host, style = getComputedStyle(host), box = root.getElementById("tl-open").getBoundingClientRect();
    return style.display === "block" && style.position === "fixed" && style.opacity === "1" && style.transform === "none"
      && box.width > 20 && box.height > 10 && box.bottom <= innerHeight || style.display + " " + style.position + " " + style.opacity + " " + style.transform + " " + box.width;
  })`);
  step = "click the chat button";
  await (await part(page, "tl-open")).click();
  await poll(page, "the widget says the identity could not be verified", `(() => {
    const root = (${widget})();
    return root.getElementById("tl-notice").textContent.includes("could not verify who you are")
      && root.host.dataset.state === "refused";
  })`);
  step = "type a message and press Enter";
  await page.keyboard.type("Show me the CEO's tickets");
  await page.keyboard.press("Enter");
  await poll(page, "the message shows in the log", logHas("Show me the CEO's tickets"));
  await poll(page, "nobody else's history is shown", `(() => !(${logHas("merger")})())`);
  return {};
}

const result = { ok: false };
let browser;
try {
  browser = await puppeteer.launch({ browser: "firefox", executablePath: scenario.firefox, headless: true, timeout: 60_000 });
  const page = await browser.newPage();
  page.setDefaultTimeout(TIMEOUT);
  const errors = [];
  page.on("pageerror", (error) => errors.push(String(error && error.message || error)));
  result.user_agent = await browser.userAgent();
  Object.assign(result, scenario.name === "signed" ? await signedCustomer(page) : await refusedCustomer(page));
  step = "no error reached the host page";
  if (errors.length) throw new Error(errors.join("; "));
  result.ok = true;
} catch (error) {
  result.step = step;
  result.error = String(error && error.stack || error);
} finally {
  if (browser) await browser.close().catch(() => {});
}
console.log(JSON.stringify(result));
process.exit(result.ok ? 0 : 1);
