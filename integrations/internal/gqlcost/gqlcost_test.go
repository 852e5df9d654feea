package gqlcost_test

import (
	"testing"

	"github.com/portolan/portolan/integrations/internal/gqlcost"
)

func TestQueryCost(t *testing.T) {
	for _, c := range []struct {
		query string
		vars  map[string]any
		want  int
	}{
		// shopify.dev's examples: an object is 1, scalars are free.
		{`{ shop { id name timezoneOffsetMinutes } }`, nil, 1},
		// A connection is 2 plus first × (1 + the node's fields); nested connections multiply.
		{`{ products(first: 10) { edges { node { title variants(first: 5) { edges { node { price } } } } } } }`, nil, 2 + 10*(1+2+5)},
		{`query Q($first: Int!, $q: String!) { orders(first: $first, query: $q, sortKey: UPDATED_AT) { pageInfo { hasNextPage } nodes { id } } }`,
			map[string]any{"first": float64(250), "q": "x"}, 2 + 1 + 250},
		// Nodes by id: each id costs one object and its fields.
		{`query D($ids: [ID!]!) { nodes(ids: $ids) { ... on Order { id totalPriceSet { shopMoney { amount } } } } }`,
			map[string]any{"ids": []any{"a", "b", "c"}}, 3 * (1 + 2)},
		{`# comment with { braces }
		query { order(id: "gid://shopify/Order/1") { lineItems(first: 100, after: "x,y") { nodes { sku variant { id } } } } }`, nil, 1 + 2 + 100*2},
	} {
		got, err := gqlcost.QueryCost(c.query, c.vars)
		if err != nil || got != c.want {
			t.Errorf("%s: cost %d (%v), want %d", c.query, got, err, c.want)
		}
	}
	if _, err := gqlcost.QueryCost(`query Q($first: Int) { orders(first: $first) { nodes { id } } }`, map[string]any{}); err == nil {
		t.Error("a missing variable was costed")
	}
}
