// Entry point: mounts the window's component tree.

import "./styles/tokens.css";

import { mount } from "svelte";

import App from "./App.svelte";

const target = document.getElementById("root");
if (target !== null) {
  mount(App, { target });
}
