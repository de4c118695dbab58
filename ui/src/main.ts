import { mount } from "svelte";
import App from "./App.svelte";
import Recovery from "./lib/components/Recovery.svelte";
import "./app.css";
import { applyTheme } from "./lib/theme";
import { startupProblem } from "./lib/api/recovery";

// Follow the OS until the stored choice is read (no flash of the wrong colours).
applyTheme("system");

const target = document.getElementById("app");
if (!target) throw new Error("index.html has no #app element");

// A library that did not open (a damaged database, above all) gets its own screen instead of an
// app whose every action would fail; once recovered, the window starts again on the library.
const problem = await startupProblem().catch(() => null);
export default problem
  ? mount(Recovery, { target, props: { problem, onRecovered: () => location.reload() } })
  : mount(App, { target });
