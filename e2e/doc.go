// Package e2e holds the end-to-end tests: a real browser (Debian's
// Chromium, driven by chromedp) against the whole application started
// in-process on a real SQLite database with the national tree.
//
//	go test ./e2e                                  # the browser test
//	PARTYWORKS_SCREENSHOTS=/tmp/shots go test ./e2e  # and full-page PNGs
//
// Without /usr/bin/chromium the test skips, except under CI (CI=true),
// where a missing browser is a failure.
package e2e
