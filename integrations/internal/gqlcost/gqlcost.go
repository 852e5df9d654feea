// Package gqlcost computes the requested cost of a Shopify Admin GraphQL query.
package gqlcost

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// Max is Shopify's limit on the requested cost of a single query.
const Max = 1000

// QueryCost is the requested cost Shopify's Admin API computes for a query
// before running it (shopify.dev, "GraphQL Admin API rate limits"): a scalar
// or enum costs 0, an object 1, a connection 2 plus `first` times the cost of
// one of its nodes (each node an object, so 1 plus its fields), and a list of
// nodes asked for by id the number of ids times the cost of one. The sandbox
// refuses queries above Max the way Shopify does, so a client that
// asks for too much fails here too and not only against a real shop.
func QueryCost(query string, vars map[string]any) (int, error) {
	p := &costParser{toks: tokenize(query), vars: vars}
	// Skip the operation header up to the outermost selection set.
	for p.i < len(p.toks) && p.toks[p.i] != "{" {
		if p.toks[p.i] == "(" {
			p.skipArgs()
			continue
		}
		p.i++
	}
	if p.i >= len(p.toks) {
		return 0, fmt.Errorf("no selection set")
	}
	c, err := p.selection()
	if err != nil {
		return 0, err
	}
	return c, nil
}

type costParser struct {
	toks []string
	i    int
	vars map[string]any
}

func tokenize(q string) []string {
	var toks []string
	rs := []rune(q)
	for i := 0; i < len(rs); {
		r := rs[i]
		switch {
		case unicode.IsSpace(r) || r == ',':
			i++
		case r == '#':
			for i < len(rs) && rs[i] != '\n' {
				i++
			}
		case r == '"':
			j := i + 1
			for j < len(rs) && rs[j] != '"' {
				if rs[j] == '\\' {
					j++
				}
				j++
			}
			toks = append(toks, string(rs[i:min(j+1, len(rs))]))
			i = j + 1
		case strings.ContainsRune("{}():!$[]=@", r):
			toks = append(toks, string(r))
			i++
		case r == '.' && i+2 < len(rs) && rs[i+1] == '.' && rs[i+2] == '.':
			toks = append(toks, "...")
			i += 3
		default:
			j := i
			for j < len(rs) && (unicode.IsLetter(rs[j]) || unicode.IsDigit(rs[j]) || rs[j] == '_' || rs[j] == '-' || rs[j] == '.') {
				j++
			}
			if j == i {
				j = i + 1
			}
			toks = append(toks, string(rs[i:j]))
			i = j
		}
	}
	return toks
}

// selection costs the selection set starting at "{" and moves past its "}".
func (p *costParser) selection() (int, error) {
	if p.i >= len(p.toks) || p.toks[p.i] != "{" {
		return 0, fmt.Errorf("expected {")
	}
	p.i++
	total := 0
	for p.i < len(p.toks) && p.toks[p.i] != "}" {
		if p.toks[p.i] == "..." { // inline fragment: "... on Type { … }"
			p.i++
			if p.i < len(p.toks) && p.toks[p.i] == "on" {
				p.i += 2
			}
			c, err := p.selection()
			if err != nil {
				return 0, err
			}
			total += c
			continue
		}
		name := p.toks[p.i]
		p.i++
		if p.i < len(p.toks) && p.toks[p.i] == ":" { // alias
			p.i++
			name = p.toks[p.i]
			p.i++
		}
		args := map[string]string{}
		if p.i < len(p.toks) && p.toks[p.i] == "(" {
			args = p.skipArgs()
		}
		if p.i >= len(p.toks) || p.toks[p.i] != "{" {
			continue // a scalar or an enum
		}
		c, err := p.field(name, args)
		if err != nil {
			return 0, err
		}
		total += c
	}
	if p.i >= len(p.toks) {
		return 0, fmt.Errorf("unclosed selection set")
	}
	p.i++
	return total, nil
}

// field costs one field that has a selection set.
func (p *costParser) field(name string, args map[string]string) (int, error) {
	if first, ok := args["first"]; ok {
		n, err := p.number(first)
		if err != nil {
			return 0, err
		}
		// A connection: its nodes/edges are multiplied, pageInfo is one object.
		p.i++
		total := 2
		for p.i < len(p.toks) && p.toks[p.i] != "}" {
			child := p.toks[p.i]
			p.i++
			if p.i < len(p.toks) && p.toks[p.i] == "(" {
				p.skipArgs()
			}
			if p.i >= len(p.toks) || p.toks[p.i] != "{" {
				continue
			}
			c, err := p.selection()
			if err != nil {
				return 0, err
			}
			switch child {
			case "nodes":
				total += n * (1 + c)
			case "edges": // edges { cursor node { … } }: node is the object
				total += n * c
			default:
				total += 1 + c
			}
		}
		p.i++
		return total, nil
	}
	c, err := p.selection()
	if err != nil {
		return 0, err
	}
	if ids, ok := args["ids"]; ok && name == "nodes" {
		n, err := p.listLen(ids)
		if err != nil {
			return 0, err
		}
		return n * (1 + c), nil
	}
	return 1 + c, nil
}

// skipArgs reads "(name: value …)" into a map of raw values and moves past ")".
func (p *costParser) skipArgs() map[string]string {
	args := map[string]string{}
	p.i++
	depth := 1
	key := ""
	for p.i < len(p.toks) && depth > 0 {
		t := p.toks[p.i]
		switch {
		case t == "(" || t == "[":
			depth++
		case t == ")" || t == "]":
			depth--
		case t == ":":
		case t == "$" && p.i+1 < len(p.toks):
			p.i++
			if key != "" {
				args[key] = "$" + p.toks[p.i]
				key = ""
			}
		default:
			if p.i+1 < len(p.toks) && p.toks[p.i+1] == ":" && depth == 1 {
				key = t
			} else if key != "" {
				args[key] = t
				key = ""
			}
		}
		p.i++
	}
	return args
}

func (p *costParser) number(v string) (int, error) {
	if name, ok := strings.CutPrefix(v, "$"); ok {
		switch x := p.vars[name].(type) {
		case float64:
			return int(x), nil
		case int:
			return x, nil
		default:
			return 0, fmt.Errorf("variable $%s is not a number", name)
		}
	}
	return strconv.Atoi(v)
}

func (p *costParser) listLen(v string) (int, error) {
	if name, ok := strings.CutPrefix(v, "$"); ok {
		if l, ok := p.vars[name].([]any); ok {
			return len(l), nil
		}
		return 0, fmt.Errorf("variable $%s is not a list", name)
	}
	return 1, nil
}
