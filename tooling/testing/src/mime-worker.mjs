// The worker behind mime.ts: mailparser is asynchronous, the tests' mail helpers are not, so
// mime.ts posts each message here and blocks on `signal` until the answer is on `port`.
import { parentPort } from "node:worker_threads";
import { simpleParser } from "mailparser";

const OPTIONS = {
  // Report what the message holds, nothing derived: no text made from HTML (text stays null
  // when there is no text/plain part), no HTML made from text, no cid: images inlined.
  skipHtmlToText: true,
  skipTextToHtml: true,
  skipImageLinks: true,
  skipTextLinks: true,
};

parentPort.on("message", async ({ raw, port, signal }) => {
  try {
    const mail = await simpleParser(Buffer.from(raw), OPTIONS);
    port.postMessage({
      headerLines: mail.headerLines.map(({ key, line }) => ({ key, line })),
      subject: mail.subject ?? "",
      // With skipHtmlToText an HTML-only message still gets text "" (an empty text/plain part
      // gets no text at all): "" means there is no text to read either way.
      text: typeof mail.text === "string" && mail.text !== "" ? mail.text : null,
      html: typeof mail.html === "string" ? mail.html : null,
    });
  } catch (error) {
    port.postMessage({ error: error instanceof Error ? error.message : String(error) });
  } finally {
    port.close();
    Atomics.store(signal, 0, 1);
    Atomics.notify(signal, 0);
  }
});
