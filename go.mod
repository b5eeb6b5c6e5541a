module github.com/wisp-llm/wisp

go 1.26
