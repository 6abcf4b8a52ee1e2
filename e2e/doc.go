// Package e2e drives the agent workspace in a real headless Chromium against
// a real Parley node (SQLite and embedded NATS, booted in-process on a free
// port), the way an agent would use it, and writes screenshots of the main
// screens to docs/screenshots/. Without Chromium the tests skip, except when
// CI=true, where they fail.
package e2e
