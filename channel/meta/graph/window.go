package graph

import (
	"fmt"
	"time"

	"github.com/parleyhq/parley"
)

// Reply windows (PLATFORMS.md §1, §3, §4): free-form replies within 24 h of
// the customer's last message; HUMAN_AGENT-tagged replies by a human up to 7
// days; comment private replies within 7 days of the comment.
const (
	StandardWindow     = 24 * time.Hour
	HumanAgentWindow   = 7 * 24 * time.Hour
	PrivateReplyWindow = 7 * 24 * time.Hour
)

// WindowDecision is how a Messenger/Instagram reply may go out.
type WindowDecision struct {
	MessagingType string // RESPONSE or MESSAGE_TAG
	Tag           string // HUMAN_AGENT when tagged
}

// MessengerWindow decides how a reply may be sent given the customer's last
// inbound message: inside 24 h as a RESPONSE; up to 7 days with the
// HUMAN_AGENT tag when the channel enables it; otherwise a permanent
// "window_closed" send error.
func MessengerWindow(lastInbound *time.Time, now time.Time, humanAgent bool) (WindowDecision, error) {
	if lastInbound == nil {
		return WindowDecision{}, windowClosed("the customer has not written on this channel yet")
	}
	age := now.Sub(*lastInbound)
	switch {
	case age <= StandardWindow:
		return WindowDecision{MessagingType: "RESPONSE"}, nil
	case humanAgent && age <= HumanAgentWindow:
		return WindowDecision{MessagingType: "MESSAGE_TAG", Tag: "HUMAN_AGENT"}, nil
	case humanAgent:
		return WindowDecision{}, windowClosed(fmt.Sprintf("the customer last wrote %s ago; replies are allowed for 7 days with the human agent tag", roundAge(age)))
	}
	return WindowDecision{}, windowClosed(fmt.Sprintf("the customer last wrote %s ago; replies are allowed for 24 hours (enable human_agent_enabled for 7 days)", roundAge(age)))
}

// WithinWindow reports whether lastInbound is no older than window.
func WithinWindow(lastInbound *time.Time, now time.Time, window time.Duration) bool {
	return lastInbound != nil && now.Sub(*lastInbound) <= window
}

// WindowClosedCode is the SendError code of a reply refused before it was sent.
const WindowClosedCode = "window_closed"

func windowClosed(reason string) *parley.SendError {
	return &parley.SendError{Class: parley.SendPermanent, Code: WindowClosedCode, Reason: "reply window closed: " + reason}
}

// WindowClosedError builds the permanent send error for a closed window.
func WindowClosedError(reason string) *parley.SendError { return windowClosed(reason) }

// Refuse builds a permanent send error for a message the channel cannot carry.
func Refuse(code, format string, args ...any) *parley.SendError {
	return &parley.SendError{Class: parley.SendPermanent, Code: code, Reason: fmt.Sprintf(format, args...)}
}

func roundAge(d time.Duration) time.Duration {
	if d > time.Hour {
		return d.Round(time.Hour)
	}
	return d.Round(time.Minute)
}
