package billing

import (
	"context"
	"io"
	"time"

	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/ui/internal/uikit"
)

// Service charges, invoices and exports; app.Service implements it.
type Service interface {
	uikit.Clock
	Invoices(ctx context.Context, period string) ([]domain.Invoice, error)
	Invoice(ctx context.Context, id int64) (domain.Invoice, error)
	Generate(ctx context.Context, period string, clientID int64) ([]domain.Invoice, []string, error)
	Issue(ctx context.Context, id int64) (domain.Invoice, error)
	RecordPayment(ctx context.Context, invoiceID int64, amount domain.Money, at time.Time, note string) (domain.Payment, error)
	CreditNote(ctx context.Context, invoiceID, net int64, reason string) (domain.Invoice, error)
	InvoicePDFFor(ctx context.Context, id int64, w io.Writer) error
	ExportWorkbook(ctx context.Context, company, period string, w io.Writer, progress func(lines int)) error
	Clients(ctx context.Context) ([]domain.Client, error)
	SaveClient(ctx context.Context, c *domain.Client) error
	RateCards(ctx context.Context, clientID int64) ([]domain.RateCard, error)
	SaveRateCard(ctx context.Context, r *domain.RateCard) error
	FilteredCharges(ctx context.Context, period string, clientID int64, t domain.ChargeType, offset, limit int) ([]domain.Charge, error)
	CountCharges(ctx context.Context, period string, clientID int64, t domain.ChargeType) (int, error)
	CarrierLines(ctx context.Context, period string) ([]domain.CarrierInvoiceLine, error)
	ImportCarrierFile(ctx context.Context, path, carrier, period string, mapping map[string]string) (counts map[domain.ReconcileClass]int, problems []string, err error)
	Margins(ctx context.Context, period, by string, currency domain.Currency) ([]domain.Margin, error)
	// AccrueToday charges today's operations and the month's storage so far.
	AccrueToday(ctx context.Context)
	Company(ctx context.Context) (domain.Company, error)
	SetCompany(ctx context.Context, c domain.Company) error
	Recompute(ctx context.Context, period string) (int, []string, error)
	// ImportFXFile and SaveFXRates return a *domain.FXJumpError for rates
	// that moved far from the day before, unless acceptJumps.
	ImportFXFile(ctx context.Context, path string, acceptJumps bool) (domain.FXImport, error)
	FXRatesIn(ctx context.Context, period string) ([]domain.FXRate, error)
	SaveFXRates(ctx context.Context, rates []domain.FXRate, acceptJumps bool) (int, error)
	CarrierFileColumns(ctx context.Context, path, carrier string) (headers, sample []string, guessed map[string]string, err error)
	AgeingAt(ctx context.Context, at time.Time) ([]domain.AgeingRow, error)
	SetCarrierLines(ctx context.Context, period, carrier string, class domain.ReconcileClass, tracking []string, state string) (int, error)
	Payables(ctx context.Context, period string) ([]domain.Payable, error)
	Channels(ctx context.Context) ([]domain.Channel, error)
}
