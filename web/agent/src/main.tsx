import { render } from "preact";
import { App } from "./App";
import { prefetchFirstPage } from "./inbox";
import "./styles.css";

prefetchFirstPage(location.pathname);

render(<App />, document.getElementById("app")!);
