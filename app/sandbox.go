package app

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/portolan/portolan/app/demo"
	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/integrations/sandbox"
)

// sandboxStatus is how WooCommerce would show an order in a demo status.
func sandboxStatus(s domain.OrderStatus) string {
	switch s {
	case domain.StatusCancelled:
		return "cancelled"
	case domain.StatusOnHold:
		return "on-hold"
	case domain.StatusShipped, domain.StatusDelivered:
		return "completed"
	}
	return "processing"
}

// SandboxOrders makes n orders of the demo data set (same products, names in
// every script, every currency) as a WooCommerce store would hold them,
// placed over the 180 days up to until.
func SandboxOrders(n int, seed uint64, until time.Time) []sandbox.Order {
	out := make([]sandbox.Order, 0, n)
	for i, o := range demo.Orders(n, seed, until) {
		id := int64(20001 + i)
		o.Number = fmt.Sprint(id)
		modified := o.History[len(o.History)-1].At
		out = append(out, sandbox.Order{Order: o, ID: id, Status: sandboxStatus(o.Status), Modified: modified})
	}
	return out
}

// ServeSandbox runs a WooCommerce-shaped sandbox store with orders on addr
// (loopback only) until ctx ends. ready gets the store's address. Every
// newEvery (if > 0) a new order arrives, so incremental syncs have work.
func ServeSandbox(ctx context.Context, addr string, orders int, newEvery time.Duration, now func() time.Time, ready func(url string)) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return domain.Errorf(domain.EINVALID, "sandbox address %q: %v", addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return domain.Errorf(domain.EINVALID, "the sandbox listens on this computer only (127.0.0.1), not on %s", host)
	}
	all := SandboxOrders(orders+1000, 7, now())
	store := sandbox.NewStore(all[:orders], now)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("sandbox: %w", err)
	}
	// The sandbox carriers answer under /dhl and /easypost; the store the rest.
	mux := http.NewServeMux()
	carriers := sandbox.NewCarriers(2*time.Minute, now)
	mux.Handle("/dhl/", carriers)
	mux.Handle("/easypost/", carriers)
	mux.Handle("/", store)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	if newEvery > 0 {
		go func() {
			t := time.NewTicker(newEvery)
			defer t.Stop()
			for i := orders; i < len(all); i++ {
				select {
				case <-ctx.Done():
					return
				case now := <-t.C:
					o := all[i]
					o.Order.PlacedAt, o.Modified, o.Status = now.UTC().Truncate(time.Second), now.UTC().Truncate(time.Second), "processing"
					store.Add(o)
				}
			}
		}()
	}
	if ready != nil {
		ready("http://" + ln.Addr().String())
	}
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// BulkInsertOrders stores orders in a new channel in one transaction without
// any of a sync's work (no HTTP, no decoding, no lookups, no fingerprints)
// but with the same rows: the baseline the import benchmark compares with.
func (a *App) BulkInsertOrders(ctx context.Context, channelName string, orders []sandbox.Order) error {
	return a.db.Bulk(ctx, func(w domain.BulkWriter) error {
		ch := domain.Channel{Code: channelCode(channelName), Name: channelName, Kind: domain.ChannelManual}
		if err := w.AddChannel(&ch); err != nil {
			return err
		}
		now := a.Now()
		for _, so := range orders {
			// The same rows a sync writes: the order, its lines, and its first history entry.
			o := domain.NewFromSource(domain.SourceOrder{Order: so.Order, SourceStatus: so.Status}, channelName, now)
			o.ID, o.ChannelID, o.ExternalID = 0, ch.ID, fmt.Sprint(so.ID)
			if err := w.AddOrder(&o); err != nil {
				return err
			}
		}
		return nil
	})
}

// TrySandbox starts a sandbox store on a free loopback port for as long as
// the window is open and adds it as the channel "Sandbox store" (or reuses
// that channel, pointing it at the new address), ready to sync.
func (s *IntakeService) TrySandbox(ctx context.Context) (domain.Channel, error) {
	urls := make(chan string, 1)
	errs := make(chan error, 1)
	go func() {
		errs <- ServeSandbox(ctx, "127.0.0.1:0", 500, 30*time.Second, s.now, func(u string) { urls <- u })
	}()
	var url string
	select {
	case url = <-urls:
	case err := <-errs:
		return domain.Channel{}, err
	}
	creds := domain.Credentials{Key: sandbox.WooKey, Secret: sandbox.WooSecret}
	if ch, err := s.ChannelNamed(ctx, "Sandbox store"); err == nil {
		ch.BaseURL = url
		return ch, s.UpdateChannel(ctx, ch, &creds)
	}
	return s.AddChannel(ctx, domain.ChannelWooCommerce, "Sandbox store", url, creds)
}

// SandboxCarrierAccounts are the accounts that track through the sandbox
// carriers at base: "DHL" (DHL's API), "EasyPost sandbox" (every other
// carrier, through the aggregator's API) and "DHL Express" (the MyDHL API:
// rates, labels and the tracking of its waybills).
func SandboxCarrierAccounts(base string) []domain.CarrierAccount {
	return []domain.CarrierAccount{
		{Kind: domain.CarrierDHL, Name: "DHL", BaseURL: base + "/dhl", Key: sandbox.DHLKey, PerSecond: 100, PerDay: 1000000},
		{Kind: domain.CarrierEasyPost, Name: "EasyPost sandbox", BaseURL: base + "/easypost", Key: sandbox.EasyPostKey, PerSecond: 100, PerDay: 1000000},
		{Kind: domain.CarrierDHLExpress, Name: "DHL Express", BaseURL: base + "/dhl-express", ClientID: sandbox.DHLExpressKey,
			ClientSecret: sandbox.DHLExpressSecret, Number: sandbox.DHLExpressAccount, Paperless: true, PerSecond: 100, PerDay: 1000000},
	}
}

// isSandboxAccount reports whether an account uses the sandbox credentials.
func isSandboxAccount(a domain.CarrierAccount) bool {
	return a.Key == sandbox.DHLKey || a.Key == sandbox.EasyPostKey || a.ClientID == sandbox.DHLExpressKey
}

// TrySandboxCarriers runs the sandbox carriers on a free loopback port for
// as long as ctx lives and points the sandbox accounts at it (adding them
// the first time), so parcels are tracked without any credentials. Journeys
// move a step every step of real time.
func (s *TrackingService) TrySandboxCarriers(ctx context.Context, step time.Duration) ([]domain.CarrierAccount, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("sandbox carriers: %w", err)
	}
	srv := &http.Server{Handler: sandbox.NewCarriers(step, s.now), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	existing, err := s.store.CarrierAccounts(ctx)
	if err != nil {
		return nil, err
	}
	var out []domain.CarrierAccount
	for _, a := range SandboxCarrierAccounts("http://" + ln.Addr().String()) {
		for _, e := range existing {
			if strings.EqualFold(e.Name, a.Name) {
				if !isSandboxAccount(e) {
					return nil, domain.Errorf(domain.ECONFLICT, "an account named %s with your own credentials exists; the sandbox leaves it alone", e.Name)
				}
				a.ID = e.ID
			}
		}
		if err := s.store.SaveCarrierAccount(ctx, &a); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// UsesSandbox reports whether any account tracks through the sandbox carriers.
func (s *TrackingService) UsesSandbox(ctx context.Context) (bool, error) {
	accounts, err := s.store.CarrierAccounts(ctx)
	if err != nil {
		return false, err
	}
	for _, a := range accounts {
		if isSandboxAccount(a) {
			return true, nil
		}
	}
	return false, nil
}

// SandboxInstructions tells how to add the sandbox store at url (holding
// orders orders) and its carriers as channels and carrier accounts.
func SandboxInstructions(url string, orders int) string {
	return fmt.Sprintf("Sandbox store with %d orders at %s, speaking the Shopify, WooCommerce and BigCommerce APIs.\n\n"+
		"Add it as a channel (any one, or all three) and sync it:\n"+
		"  portolan channels add --kind woocommerce --name \"Sandbox Woo\" --url %s --key %s --secret %s\n"+
		"  portolan channels add --kind shopify --name \"Sandbox Shopify\" --url %s --token %s\n"+
		"  portolan channels add --kind bigcommerce --name \"Sandbox BigCommerce\" --url %s%s --token %s\n"+
		"  portolan sync\n\n"+
		"It also speaks DHL's and EasyPost's tracking APIs; parcels move a step every 2 minutes:\n"+
		"  portolan carriers add --kind dhl --name DHL --url %s/dhl --key %s\n"+
		"  portolan carriers add --kind easypost --name \"EasyPost sandbox\" --url %s/easypost --key %s\n"+
		"  portolan track\n\nPress Ctrl+C to stop.\n",
		orders, url, url, sandbox.WooKey, sandbox.WooSecret, url, sandbox.ShopifyToken, url, sandbox.BigCommercePath, sandbox.BigCommerceToken,
		url, sandbox.DHLKey, url, sandbox.EasyPostKey)
}
