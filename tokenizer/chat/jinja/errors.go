package jinja

import (
	"errors"
	"fmt"
)

// Error is a template error, at parse or render time, with the template
// line it happened on.
type Error struct {
	Line int
	Msg  string
	Err  error // the underlying cause, if any (a *RaisedError for raise_exception)
}

func (e *Error) Error() string {
	if e.Line <= 0 {
		return "template: " + e.Msg
	}
	return fmt.Sprintf("template line %d: %s", e.Line, e.Msg)
}

func (e *Error) Unwrap() error { return e.Err }

// RaisedError is the error a template raises itself with
// raise_exception(message), such as "System role not supported".
type RaisedError struct {
	Message string
}

func (e *RaisedError) Error() string { return e.Message }

// errAt attaches a line to err unless it already carries one.
func errAt(line int, err error) error {
	if err == nil {
		return nil
	}
	var te *Error
	if errors.As(err, &te) {
		return err
	}
	return &Error{Line: line, Msg: err.Error(), Err: err}
}

// Loop control travels up to the enclosing loop as these sentinels.
var (
	errBreak    = errors.New("'break' outside a loop")
	errContinue = errors.New("'continue' outside a loop")
)
