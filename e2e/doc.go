// Package e2e drives the agent workspace in a real headless Chromium against
// a real Parley node (SQLite and embedded NATS, booted in-process on a free
// port), the way an agent would use it, and takes screenshots of the main
// screens (committed under docs/screenshots/ by `make screenshots`). Without Chromium the tests skip, except when
// CI=true, where they fail.
package e2e
