package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"

	"github.com/wisp-llm/wisp/tokenizer/chat"
	"github.com/wisp-llm/wisp/wasm/engine"
)

func init() {
	commands["chat"] = command{"chat with a model in the terminal", runChat}
}

// chatInput is where wisp chat reads the user's lines; tests replace it.
var chatInput io.Reader = os.Stdin

func runChat(args []string, stdout io.Writer) error {
	fs := newFlags("chat")
	mf := addModelFlags(fs)
	system := fs.String("system", "", "system prompt")
	n := fs.Int("n", 512, "most tokens per reply")
	params := samplingFlags(fs)
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	if *mf.path == "" {
		return errors.New("-m MODEL.gguf is required")
	}
	m, err := mf.open()
	if err != nil {
		return err
	}
	defer m.Close()
	s, err := m.NewSession(*mf.ctx)
	if err != nil {
		return err
	}
	if warning := m.TemplateWarning(); warning != "" {
		fmt.Fprintln(diagnostics, "wisp chat:", warning)
	}

	// Ctrl-C during a reply stops the reply; at the prompt it ends the chat.
	interrupts := make(chan os.Signal, 1)
	signal.Notify(interrupts, os.Interrupt)
	defer signal.Stop(interrupts)

	var messages []chat.Message
	if *system != "" {
		messages = append(messages, chat.Message{Role: "system", Content: *system})
	}
	in := bufio.NewScanner(chatInput)
	in.Buffer(make([]byte, 1<<20), 1<<20)
	out := bufio.NewWriter(stdout)
	defer out.Flush()
	fmt.Fprintln(out, "Type a message; /reset starts over, /exit or Ctrl-D leaves.")
	for {
		fmt.Fprint(out, "> ")
		out.Flush()
		if !in.Scan() {
			fmt.Fprintln(out)
			return in.Err()
		}
		line := strings.TrimSpace(in.Text())
		switch line {
		case "":
			continue
		case "/exit", "/quit":
			return nil
		case "/reset":
			messages = messages[:0]
			if *system != "" {
				messages = append(messages, chat.Message{Role: "system", Content: *system})
			}
			s.Reset()
			continue
		}
		messages = append(messages, chat.Message{Role: "user", Content: line})
		prompt, err := m.ChatPrompt(chat.Options{Messages: messages, AddGenerationPrompt: true})
		if err != nil {
			return err
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			select {
			case <-interrupts:
				cancel()
			case <-done:
			}
		}()
		room := s.Context() - len(prompt)
		res, err := s.Generate(ctx, engine.Request{Prompt: prompt, MaxTokens: min(*n, max(room, 1)), Sampling: params()}, func(d engine.Delta) error {
			out.WriteString(d.Text)
			return out.Flush()
		})
		close(done)
		cancel()
		fmt.Fprintln(out)
		switch {
		case errors.Is(err, context.Canceled):
			fmt.Fprintln(out, "[stopped]")
		case errors.Is(err, engine.ErrContextLength):
			fmt.Fprintln(out, "[the conversation no longer fits the context; /reset to start over]")
			messages = messages[:len(messages)-1]
			continue
		case err != nil:
			return err
		}
		messages = append(messages, chat.Message{Role: "assistant", Content: res.Text})
	}
}
