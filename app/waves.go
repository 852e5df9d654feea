package app

import (
	"context"
	"io"
	"time"

	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/integrations/pdf"
)

// CreateWave takes allocated orders of a warehouse into a pick wave.
func (s *InventoryService) CreateWave(ctx context.Context, warehouse string, f domain.WaveFilter) (domain.Wave, error) {
	return s.ledger.CreateWave(ctx, warehouse, f)
}

// Wave reads a pick wave.
func (s *InventoryService) Wave(ctx context.Context, id int64) (domain.Wave, error) {
	return s.stock.Wave(ctx, id)
}

// PickList writes a wave's pick list PDF on paper ("A4" or "Letter"), dates
// in the local time zone.
func (s *InventoryService) PickList(ctx context.Context, id int64, paper string, w io.Writer) error {
	p, err := pdf.ParsePaper(paper)
	if err != nil {
		return domain.Errorf(domain.EINVALID, "%s", err.Error())
	}
	wave, err := s.stock.Wave(ctx, id)
	if err != nil {
		return err
	}
	return pdf.PickList(w, wave, p, time.Local)
}
