// A minimal vcsim for the vmwareapi driver tests: govmomi's simulator package
// (Debian golang-github-vmware-govmomi-dev ships it, but not govmomi's vcsim
// command) served on loopback, plus one test hook.
//
// The hook: GET /novalite/refuse?task=VirtualMachine.powerOn&times=1&reason=...
// makes the next `times` tasks with that description id (the simulator's
// "<ManagedObjectType>.<method id>") end in error with a GenericVmConfigFault,
// as a host that cannot power a VM on reports it. GET /novalite/reset drops
// pending refusals. Built by tests/vcsim.py; see doc/drivers.md.
package main

import (
	"crypto/tls"
	"flag"
	"fmt"
	"log"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strconv"
	"sync"
	"syscall"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// refusals is a simulator registry handler: it sees every object put in the
// inventory, tasks included, before the task runs.
type refusals struct {
	mu      sync.Mutex
	pending map[string][]string // description id -> reasons, one per refusal
}

func (r *refusals) Reference() types.ManagedObjectReference {
	return types.ManagedObjectReference{Type: "NovaliteRefusals", Value: "refusals"}
}

func (r *refusals) PutObject(o mo.Reference) {
	task, ok := o.(*simulator.Task)
	if !ok {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	id := task.Info.DescriptionId
	queue := r.pending[id]
	if len(queue) == 0 {
		return
	}
	reason := queue[0]
	r.pending[id] = queue[1:]
	task.Execute = func(*simulator.Task) (types.AnyType, types.BaseMethodFault) {
		return nil, &types.GenericVmConfigFault{Reason: reason}
	}
}

func (r *refusals) UpdateObject(mo.Reference, []types.PropertyChange) {}

func (r *refusals) RemoveObject(types.ManagedObjectReference) {}

func (r *refusals) refuse(w http.ResponseWriter, req *http.Request) {
	q := req.URL.Query()
	id := q.Get("task")
	times, err := strconv.Atoi(q.Get("times"))
	if id == "" || err != nil || times < 1 {
		http.Error(w, "usage: /novalite/refuse?task=VirtualMachine.powerOn&times=1&reason=...", 400)
		return
	}
	reason := q.Get("reason")
	if reason == "" {
		reason = "refused by the test"
	}
	r.mu.Lock()
	for i := 0; i < times; i++ {
		r.pending[id] = append(r.pending[id], reason)
	}
	r.mu.Unlock()
	fmt.Fprintln(w, "ok")
}

func (r *refusals) reset(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	r.pending = map[string][]string{}
	r.mu.Unlock()
	fmt.Fprintln(w, "ok")
}

func main() {
	listen := flag.String("l", "127.0.0.1:8989", "listen address")
	useTLS := flag.Bool("tls", true, "serve https (a self-signed certificate)")
	esx := flag.Bool("esx", false, "simulate a standalone ESXi host instead of vCenter")
	hosts := flag.Int("host", 1, "hosts per cluster (VPX)")
	vms := flag.Int("vm", 2, "VMs per host/cluster resource pool")
	user := flag.String("username", "", "the only user name accepted (default: any)")
	password := flag.String("password", "", "the only password accepted (default: any)")
	flag.Parse()

	var m *simulator.Model
	if *esx {
		m = simulator.ESX()
	} else {
		m = simulator.VPX()
		m.Host = 0
		m.ClusterHost = *hosts
	}
	m.Machine = *vms
	if err := m.Create(); err != nil {
		log.Fatal(err)
	}
	if *useTLS {
		m.Service.TLS = new(tls.Config)
	}
	if *user != "" || *password != "" {
		m.Service.Listen = &url.URL{Host: *listen, User: url.UserPassword(*user, *password)}
	} else {
		m.Service.Listen = &url.URL{Host: *listen}
	}
	m.Service.RegisterEndpoints = true

	hook := &refusals{pending: map[string][]string{}}
	simulator.Map.AddHandler(hook)
	m.Service.HandleFunc("/novalite/refuse", hook.refuse)
	m.Service.HandleFunc("/novalite/reset", hook.reset)

	s := m.Service.NewServer()
	u := *s.URL
	u.User = nil // never print the credentials
	fmt.Printf("VCSIM_URL=%s\n", u.String())
	os.Stdout.Sync()

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	<-sig
	s.Close()
	m.Remove()
}
