"""A small browser on WebKitGTK, driven by JSON lines on stdin, for the packet's tests.

Run with the system Python that has python3-gi and gir1.2-webkit2-4.1, under an
X server (xvfb-run):

    python3 webkit_driver.py --data DIR --downloads DIR [--refuse-file-storage]

One process is one browser start; its website data lives in DIR, so a second
process on the same DIR is the same browser reopened. `--refuse-file-storage`
turns off the feature NeedsStorageAccessFromFileURLsQuirk, as Safari does:
then localStorage throws SecurityError on file:// pages.

Each line in is a command, each line out its answer ({"ok": true, "value": ...}
or {"ok": false, "error": "..."}):
    {"cmd": "goto", "url": "file:///..."}        load a page, answer when loaded
    {"cmd": "eval", "js": "expression"}          the expression's value, as JSON
    {"cmd": "choose_file", "path": "/..."}       the file the next file chooser gets
    {"cmd": "errors"}                            console errors and uncaught errors so far
    {"cmd": "quit"}
Console errors are caught by a script put into every frame before the page's
own scripts, since WebKitGTK gives no console log to its embedder.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import gi

gi.require_version("Gtk", "3.0")
gi.require_version("WebKit2", "4.1")
from gi.repository import GLib, Gtk, WebKit2  # noqa: E402

CAPTURE = """
(function () {
  function send(text) {
    try { window.webkit.messageHandlers.cperror.postMessage(String(text)); } catch (e) {}
  }
  var original = console.error;
  console.error = function () {
    send(Array.prototype.map.call(arguments, String).join(" "));
    return original.apply(console, arguments);
  };
  window.addEventListener("error", function (event) { send(event.message || "error"); });
  window.addEventListener("unhandledrejection", function (event) { send("unhandled rejection: " + event.reason); });
})();
"""


class Browser:
    def __init__(self, data: Path, downloads: Path, refuse_file_storage: bool):
        self.downloads = downloads
        self.errors: list[str] = []
        self.chosen: str | None = None
        manager = WebKit2.WebsiteDataManager(
            base_data_directory=str(data / "data"), base_cache_directory=str(data / "cache")
        )
        self.context = WebKit2.WebContext(website_data_manager=manager)
        self.context.connect("download-started", self.on_download)
        content = WebKit2.UserContentManager()
        content.register_script_message_handler("cperror")
        content.connect("script-message-received::cperror", self.on_error_message)
        content.add_script(
            WebKit2.UserScript.new(
                CAPTURE,
                WebKit2.UserContentInjectedFrames.ALL_FRAMES,
                WebKit2.UserScriptInjectionTime.START,
                None,
                None,
            )
        )
        settings = WebKit2.Settings()
        settings.set_enable_developer_extras(False)
        if refuse_file_storage:
            features = WebKit2.Settings.get_all_features()
            for i in range(features.get_length()):
                feature = features.get(i)
                if feature.get_identifier() == "NeedsStorageAccessFromFileURLsQuirk":
                    settings.set_feature_enabled(feature, False)
                    break
            else:
                raise SystemExit("this WebKitGTK has no feature NeedsStorageAccessFromFileURLsQuirk")
        self.view = WebKit2.WebView(web_context=self.context, user_content_manager=content, settings=settings)
        self.view.connect("load-changed", self.on_load_changed)
        self.view.connect("run-file-chooser", self.on_file_chooser)
        self.window = Gtk.Window()
        self.window.set_default_size(1280, 900)
        self.window.add(self.view)
        self.window.show_all()
        self.pending_load = None

    # ---------------------------------------------------------------- events

    def on_error_message(self, manager, result):
        value = result.get_js_value() if hasattr(result, "get_js_value") else result
        self.errors.append(value.to_string())

    def on_download(self, context, download):
        def decide(download, suggested):
            target = self.downloads / suggested
            download.set_allow_overwrite(True)
            download.set_destination(target.as_uri())
            return True

        download.connect("decide-destination", decide)

    def on_file_chooser(self, view, request):
        if self.chosen is None:
            request.cancel()
        else:
            request.select_files([self.chosen])
            self.chosen = None
        return True

    def on_load_changed(self, view, event):
        if event == WebKit2.LoadEvent.FINISHED and self.pending_load:
            done, self.pending_load = self.pending_load, None
            done({"ok": True})

    # ---------------------------------------------------------------- commands

    def run(self, command: dict, reply) -> None:
        name = command.get("cmd")
        if name == "goto":
            url = command["url"]
            current = self.view.get_uri() or ""
            if "#" in url and current.split("#")[0] == url.split("#")[0]:
                # Only the fragment changes: the same document, and no load to wait for.
                self.evaluate(f"(location.href = {json.dumps(url)}, null)", reply)
                return
            self.pending_load = reply
            self.view.load_uri(url)
        elif name == "eval":
            self.evaluate(command["js"], reply)
        elif name == "choose_file":
            self.chosen = command["path"]
            reply({"ok": True})
        elif name == "errors":
            reply({"ok": True, "value": self.errors})
        elif name == "quit":
            reply({"ok": True})
            Gtk.main_quit()
        else:
            reply({"ok": False, "error": f"unknown command {name!r}"})

    def evaluate(self, js: str, reply) -> None:
        # An exception of the test's own expression is answered, not left to reach the
        # page's error handlers (where it would count as an error of the page).
        source = (
            f"(function () {{ try {{ return JSON.stringify({{value: (function () {{ return ({js}); }})()}}); }}"
            f" catch (e) {{ return JSON.stringify({{error: String(e)}}); }} }})()"
        )

        def finished(view, result):
            try:
                answer = json.loads(view.evaluate_javascript_finish(result).to_string())
            except GLib.Error as error:
                return reply({"ok": False, "error": error.message})
            if "error" in answer:
                reply({"ok": False, "error": answer["error"]})
            else:
                reply({"ok": True, "value": answer.get("value")})

        self.view.evaluate_javascript(source, -1, None, None, None, finished)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--downloads", type=Path, required=True)
    parser.add_argument("--refuse-file-storage", action="store_true")
    args = parser.parse_args()
    args.downloads.mkdir(parents=True, exist_ok=True)
    browser = Browser(args.data, args.downloads, args.refuse_file_storage)

    queue: list[dict] = []
    busy = False

    def reply(answer: dict) -> None:
        nonlocal busy
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()
        busy = False
        GLib.idle_add(next_command)

    def next_command() -> bool:
        nonlocal busy
        if busy or not queue:
            return False
        busy = True
        command = queue.pop(0)
        try:
            browser.run(command, reply)
        except Exception as error:  # an answer, so that the test reads what went wrong
            reply({"ok": False, "error": f"{type(error).__name__}: {error}"})
        return False

    def on_input(channel, condition):
        line = channel.readline()
        if not line:
            queue.append({"cmd": "quit"})
            next_command()
            return False
        queue.append(json.loads(line))
        next_command()
        return True

    channel = GLib.IOChannel.unix_new(sys.stdin.fileno())
    GLib.io_add_watch(channel, GLib.PRIORITY_DEFAULT, GLib.IOCondition.IN | GLib.IOCondition.HUP, on_input)
    sys.stdout.write(json.dumps({"ok": True, "value": "ready"}) + "\n")
    sys.stdout.flush()
    Gtk.main()


if __name__ == "__main__":
    main()
