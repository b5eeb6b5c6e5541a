package engine

import "strings"

// stopMatcher holds back streamed text that might be the start of a stop
// string, so that no part of a stop string is ever emitted.
type stopMatcher struct {
	stops   []string
	held    string
	stopped bool
}

func newStopMatcher(stops []string) *stopMatcher {
	var nonEmpty []string
	for _, s := range stops {
		if s != "" {
			nonEmpty = append(nonEmpty, s)
		}
	}
	return &stopMatcher{stops: nonEmpty}
}

// push adds text and returns what can be emitted now, and whether a stop
// string was found (text from it on is dropped).
func (m *stopMatcher) push(text string) (string, bool) {
	if m.stopped {
		return "", true
	}
	if len(m.stops) == 0 {
		return text, false
	}
	buf := m.held + text
	cut := -1
	for _, s := range m.stops {
		if i := strings.Index(buf, s); i >= 0 && (cut < 0 || i < cut) {
			cut = i
		}
	}
	if cut >= 0 {
		m.stopped, m.held = true, ""
		return buf[:cut], true
	}
	keep := 0
	for _, s := range m.stops {
		for k := min(len(s)-1, len(buf)); k > keep; k-- {
			if strings.HasSuffix(buf, s[:k]) {
				keep = k
				break
			}
		}
	}
	m.held = buf[len(buf)-keep:]
	return buf[:len(buf)-keep], false
}

// rest returns held-back text once generation ended without a stop string.
func (m *stopMatcher) rest() string {
	h := m.held
	m.held = ""
	return h
}
