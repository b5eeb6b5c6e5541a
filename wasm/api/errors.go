package api

import (
	"context"
	"errors"
	"fmt"
)

// Error is a failure as OpenAI reports it: an HTTP status and the error
// object {"error":{"message","type","param","code"}}. Every error the
// Service returns for a request is an *Error or wraps a context error.
type Error struct {
	Status  int
	Message string
	Type    string
	Param   string // the request field at fault, "" when none
	Code    string
	// RetryAfter, in seconds, is set on 429 answers.
	RetryAfter int
	Err        error // the underlying cause, if any
}

func (e *Error) Error() string {
	if e.Param != "" {
		return fmt.Sprintf("%d %s (%s): %s", e.Status, e.Type, e.Param, e.Message)
	}
	return fmt.Sprintf("%d %s: %s", e.Status, e.Type, e.Message)
}

func (e *Error) Unwrap() error { return e.Err }

// Error types, as OpenAI names them.
const (
	TypeInvalidRequest = "invalid_request_error"
	TypeAuthentication = "authentication_error"
	TypeNotFound       = "not_found_error"
	TypeRateLimit      = "rate_limit_error"
	TypeServer         = "server_error"
)

// ErrorBody is the JSON shape of an error answer.
type ErrorBody struct {
	Error ErrorObject `json:"error"`
}

// ErrorObject is the inside of ErrorBody; param and code are null when
// empty, as OpenAI sends them.
type ErrorObject struct {
	Message string  `json:"message"`
	Type    string  `json:"type"`
	Param   *string `json:"param"`
	Code    *string `json:"code"`
}

// Body returns the error object to send.
func (e *Error) Body() ErrorBody {
	o := ErrorObject{Message: e.Message, Type: e.Type}
	if e.Param != "" {
		o.Param = &e.Param
	}
	if e.Code != "" {
		o.Code = &e.Code
	}
	return ErrorBody{Error: o}
}

// BadRequest is a 400 invalid_request_error about param.
func BadRequest(param, format string, args ...any) *Error {
	return &Error{Status: 400, Type: TypeInvalidRequest, Param: param, Message: fmt.Sprintf(format, args...)}
}

// AsError turns any error into the *Error to answer with: an *Error
// inside err as it is, a cancelled or expired context as 408 (the client
// is usually gone and never sees it), anything else as a 500.
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return &Error{Status: 408, Type: TypeInvalidRequest, Code: "request_cancelled", Message: "the request was cancelled", Err: err}
	}
	return &Error{Status: 500, Type: TypeServer, Message: err.Error(), Err: err}
}
