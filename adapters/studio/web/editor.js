// The studio's editor bundle: the parts of CodeMirror 6 the page uses, exposed as window.CM.
// Rebuild with `npm ci && npm run build` in this directory (see build.sh).
import { basicSetup } from "codemirror";
import { EditorView, keymap } from "@codemirror/view";
import { EditorState } from "@codemirror/state";
import { StreamLanguage, HighlightStyle, syntaxHighlighting } from "@codemirror/language";
import { linter, lintGutter, setDiagnostics, forceLinting } from "@codemirror/lint";
import { indentWithTab } from "@codemirror/commands";
import { tags } from "@lezer/highlight";

window.CM = {
  basicSetup, EditorView, keymap, EditorState, StreamLanguage, HighlightStyle, syntaxHighlighting,
  linter, lintGutter, setDiagnostics, forceLinting, indentWithTab, tags,
};
