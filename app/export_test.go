package app

import (
	"context"

	"github.com/portolan/portolan/domain"
)

// BeginPurchaseForTest writes a purchase down as buying, as Buy does before
// asking the carrier: a test leaves it there, as a crash would.
func (s *LabelService) BeginPurchaseForTest(ctx context.Context, p *domain.LabelPurchase) error {
	return s.labels.BeginPurchase(ctx, p)
}
