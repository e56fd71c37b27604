// kubevirt-check: checks the KubeVirt objects the program renders (KubeVirt's
// and CDI's resources, a gaming session's DataVolumes and VirtualMachine) the
// way their controllers would read them.
//
//	kubevirt-check FILE...   # every YAML document of every file; exit 1 on any problem
//
// Each document is decoded strictly into KubeVirt's and CDI's own Go API types
// (an unknown or misspelt field, a wrong type is an error), then read as the
// controllers do: a VM's run strategy is one KubeVirt knows, every disk has its
// volume and every interface its network, a host device is one KubeVirt's
// configuration permits, a DataVolume has exactly one source and a size, and a
// VM's DataVolumes are among the documents (or its own templates). Other kinds
// (a Namespace, a Service) are left to kubectl-validate.
package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	kubevirtv1 "kubevirt.io/api/core/v1"
	cdiv1beta1 "kubevirt.io/containerized-data-importer-api/pkg/apis/core/v1beta1"
	"sigs.k8s.io/yaml"
)

type typeMeta struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name      string `json:"name"`
		Namespace string `json:"namespace"`
	} `json:"metadata"`
}

type document struct {
	file string
	n    int
	meta typeMeta
	raw  []byte
}

func (d document) id() string {
	return fmt.Sprintf("%s: document %d (%s %s/%s)", d.file, d.n, d.meta.APIVersion, d.meta.Kind, d.meta.Metadata.Name)
}

// What the whole set of documents declares, for the checks across them.
type declared struct {
	permitted   map[string]bool // resource names KubeVirt's configuration permits
	kubevirts   int
	dataVolumes map[string]bool // namespace/name
}

var (
	vendorSelector = regexp.MustCompile(`^[0-9A-Fa-f]{4}:[0-9A-Fa-f]{4}$`)
	// A device plugin's resource name: a DNS subdomain prefix, a slash, a name.
	resourceName = regexp.MustCompile(`^[a-z0-9]([-a-z0-9.]*[a-z0-9])?/[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$`)
	runStrategies = []kubevirtv1.VirtualMachineRunStrategy{
		kubevirtv1.RunStrategyAlways, kubevirtv1.RunStrategyHalted, kubevirtv1.RunStrategyManual,
		kubevirtv1.RunStrategyRerunOnFailure, kubevirtv1.RunStrategyOnce, kubevirtv1.RunStrategyWaitAsReceiver,
	}
	uninstallStrategies = []cdiv1beta1.CDIUninstallStrategy{cdiv1beta1.CDIUninstallStrategyRemoveWorkloads, cdiv1beta1.CDIUninstallStrategyBlockUninstallIfWorkloadsExist}
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: kubevirt-check FILE...")
		os.Exit(2)
	}
	var docs []document
	failed := false
	for _, file := range os.Args[1:] {
		data, err := os.ReadFile(file)
		if err == nil {
			var parts [][]byte
			parts, err = split(data)
			for i, raw := range parts {
				var meta typeMeta
				if e := yaml.Unmarshal(raw, &meta); e != nil {
					fmt.Fprintf(os.Stderr, "%s: document %d: %v\n", file, i+1, e)
					failed = true
					continue
				}
				docs = append(docs, document{file: file, n: i + 1, meta: meta, raw: raw})
			}
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", file, err)
			failed = true
		}
	}
	d, problems := collect(docs)
	for _, p := range problems {
		fmt.Fprintln(os.Stderr, p)
		failed = true
	}
	for _, doc := range docs {
		checked, err := check(doc, d)
		switch {
		case err != nil:
			fmt.Fprintf(os.Stderr, "%s: %v\n", doc.id(), err)
			failed = true
		case checked:
			fmt.Printf("ok %s\n", doc.id())
		}
	}
	if failed {
		os.Exit(1)
	}
}

func split(data []byte) ([][]byte, error) {
	reader := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	var docs [][]byte
	for {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return nil, err
		}
		if len(bytes.TrimSpace(doc)) > 0 && strings.TrimSpace(string(doc)) != "---" {
			docs = append(docs, doc)
		}
	}
}

// collect reads what the checks across documents need: the permitted devices, the DataVolumes.
func collect(docs []document) (declared, []string) {
	d := declared{permitted: map[string]bool{}, dataVolumes: map[string]bool{}}
	var problems []string
	for _, doc := range docs {
		switch doc.meta.APIVersion + " " + doc.meta.Kind {
		case "kubevirt.io/v1 KubeVirt":
			d.kubevirts++
			var kv kubevirtv1.KubeVirt
			if err := strict(doc.raw, &kv); err != nil {
				continue // reported by check
			}
			if p := kv.Spec.Configuration.PermittedHostDevices; p != nil {
				for _, dev := range p.PciHostDevices {
					d.permitted[dev.ResourceName] = true
				}
				for _, dev := range p.MediatedDevices {
					d.permitted[dev.ResourceName] = true
				}
			}
		case "cdi.kubevirt.io/v1beta1 DataVolume":
			d.dataVolumes[namespaced(doc.meta.Metadata.Namespace, doc.meta.Metadata.Name)] = true
		}
	}
	if d.kubevirts > 1 {
		problems = append(problems, fmt.Sprintf("%d KubeVirt resources: the operator serves one", d.kubevirts))
	}
	return d, problems
}

func namespaced(namespace, name string) string {
	if namespace == "" {
		namespace = "default"
	}
	return namespace + "/" + name
}

// check reads one document; false when its kind is not KubeVirt's or CDI's (left to kubectl-validate).
func check(doc document, d declared) (bool, error) {
	if doc.meta.Metadata.Name == "" {
		return true, errors.New("metadata.name is empty")
	}
	switch doc.meta.APIVersion + " " + doc.meta.Kind {
	case "kubevirt.io/v1 KubeVirt":
		var kv kubevirtv1.KubeVirt
		if err := strict(doc.raw, &kv); err != nil {
			return true, err
		}
		return true, checkKubeVirt(&kv)
	case "kubevirt.io/v1 VirtualMachine":
		var vm kubevirtv1.VirtualMachine
		if err := strict(doc.raw, &vm); err != nil {
			return true, err
		}
		return true, checkVirtualMachine(&vm, d)
	case "cdi.kubevirt.io/v1beta1 CDI":
		var cdi cdiv1beta1.CDI
		if err := strict(doc.raw, &cdi); err != nil {
			return true, err
		}
		if s := cdi.Spec.UninstallStrategy; s != nil && !contains(uninstallStrategies, *s) {
			return true, fmt.Errorf("spec.uninstallStrategy %q: expected one of %v", *s, uninstallStrategies)
		}
		return true, nil
	case "cdi.kubevirt.io/v1beta1 DataVolume":
		var dv cdiv1beta1.DataVolume
		if err := strict(doc.raw, &dv); err != nil {
			return true, err
		}
		return true, checkDataVolume(dv.Spec, "spec")
	}
	if strings.HasPrefix(doc.meta.APIVersion, "kubevirt.io/") || strings.HasPrefix(doc.meta.APIVersion, "cdi.kubevirt.io/") {
		return true, errors.New("not a kind this checker knows (KubeVirt, VirtualMachine of kubevirt.io/v1; CDI, DataVolume of cdi.kubevirt.io/v1beta1)")
	}
	return false, nil
}

func checkKubeVirt(kv *kubevirtv1.KubeVirt) error {
	if kv.Namespace == "" {
		return errors.New("metadata.namespace is empty: KubeVirt's resource lives in the operator's namespace")
	}
	p := kv.Spec.Configuration.PermittedHostDevices
	if p == nil {
		return nil
	}
	gates := map[string]bool{}
	if dc := kv.Spec.Configuration.DeveloperConfiguration; dc != nil {
		for _, g := range dc.FeatureGates {
			gates[g] = true
		}
	}
	if len(p.PciHostDevices) > 0 && !gates["HostDevices"] {
		return errors.New("spec.configuration.permittedHostDevices.pciHostDevices: the HostDevices feature gate is not on (developerConfiguration.featureGates)")
	}
	seen := map[string]bool{}
	for i, dev := range p.PciHostDevices {
		at := fmt.Sprintf("spec.configuration.permittedHostDevices.pciHostDevices[%d]", i)
		if !vendorSelector.MatchString(dev.PCIVendorSelector) {
			return fmt.Errorf("%s.pciVendorSelector %q: expected vendor:device in hex, like 10DE:2684", at, dev.PCIVendorSelector)
		}
		if !resourceName.MatchString(dev.ResourceName) {
			return fmt.Errorf("%s.resourceName %q: expected a device plugin's resource name like vendor.com/device", at, dev.ResourceName)
		}
		if seen[dev.ResourceName] {
			return fmt.Errorf("%s.resourceName %q: given twice", at, dev.ResourceName)
		}
		seen[dev.ResourceName] = true
	}
	return nil
}

func checkVirtualMachine(vm *kubevirtv1.VirtualMachine, d declared) error {
	s := vm.Spec
	if s.Running != nil && s.RunStrategy != nil {
		return errors.New("spec.running and spec.runStrategy: KubeVirt takes one or the other")
	}
	if s.RunStrategy != nil && !contains(runStrategies, *s.RunStrategy) {
		return fmt.Errorf("spec.runStrategy %q: expected one of %v", *s.RunStrategy, runStrategies)
	}
	if s.Template == nil {
		return errors.New("spec.template is missing")
	}
	t := s.Template.Spec
	dom := t.Domain
	if dom.CPU != nil && dom.CPU.Cores == 0 {
		return errors.New("spec.template.spec.domain.cpu.cores: expected at least 1")
	}
	if dom.Memory == nil || dom.Memory.Guest == nil {
		if _, ok := dom.Resources.Requests[corev1.ResourceMemory]; !ok {
			return errors.New("spec.template.spec.domain: expected memory.guest or a memory request")
		}
	} else if dom.Memory.Guest.Cmp(resource.MustParse("1Mi")) < 0 {
		return fmt.Errorf("spec.template.spec.domain.memory.guest %s: expected at least 1Mi", dom.Memory.Guest.String())
	}
	volumes := map[string]kubevirtv1.Volume{}
	for _, v := range t.Volumes {
		if _, dup := volumes[v.Name]; dup {
			return fmt.Errorf("spec.template.spec.volumes: %q given twice", v.Name)
		}
		volumes[v.Name] = v
	}
	used := map[string]bool{}
	boot := map[uint]string{}
	for i, disk := range dom.Devices.Disks {
		if _, ok := volumes[disk.Name]; !ok {
			return fmt.Errorf("spec.template.spec.domain.devices.disks[%d] %q: no volume of that name", i, disk.Name)
		}
		used[disk.Name] = true
		if disk.BootOrder != nil {
			if other, dup := boot[*disk.BootOrder]; dup {
				return fmt.Errorf("spec.template.spec.domain.devices.disks[%d] %q: boot order %d is also %q's", i, disk.Name, *disk.BootOrder, other)
			}
			boot[*disk.BootOrder] = disk.Name
		}
	}
	names := make([]string, 0, len(volumes))
	for name := range volumes {
		names = append(names, name)
	}
	sort.Strings(names)
	templates := map[string]bool{}
	for i, tpl := range s.DataVolumeTemplates {
		templates[tpl.Name] = true
		if err := checkDataVolume(tpl.Spec, fmt.Sprintf("spec.dataVolumeTemplates[%d].spec", i)); err != nil {
			return err
		}
	}
	for _, name := range names {
		if !used[name] {
			return fmt.Errorf("spec.template.spec.volumes %q: no disk uses it", name)
		}
		if dv := volumes[name].DataVolume; dv != nil && !templates[dv.Name] && !d.dataVolumes[namespaced(vm.Namespace, dv.Name)] {
			return fmt.Errorf("spec.template.spec.volumes %q: DataVolume %s is neither among the documents nor a template of this VM", name, namespaced(vm.Namespace, dv.Name))
		}
	}
	networks := map[string]bool{}
	for _, n := range t.Networks {
		networks[n.Name] = true
	}
	for i, iface := range dom.Devices.Interfaces {
		if !networks[iface.Name] {
			return fmt.Errorf("spec.template.spec.domain.devices.interfaces[%d] %q: no network of that name", i, iface.Name)
		}
	}
	for i, dev := range dom.Devices.HostDevices {
		if dev.DeviceName == "" {
			return fmt.Errorf("spec.template.spec.domain.devices.hostDevices[%d] %q: deviceName is empty", i, dev.Name)
		}
		if !d.permitted[dev.DeviceName] {
			return fmt.Errorf("spec.template.spec.domain.devices.hostDevices[%d] %q: %s is not a device KubeVirt's configuration permits (permittedHostDevices)", i, dev.Name, dev.DeviceName)
		}
	}
	return nil
}

func checkDataVolume(spec cdiv1beta1.DataVolumeSpec, at string) error {
	sources := 0
	if src := spec.Source; src != nil {
		for _, set := range []bool{src.HTTP != nil, src.S3 != nil, src.GCS != nil, src.Registry != nil, src.PVC != nil, src.Upload != nil, src.Blank != nil, src.Imageio != nil, src.VDDK != nil, src.Snapshot != nil} {
			if set {
				sources++
			}
		}
		if src.PVC != nil && (src.PVC.Name == "" || src.PVC.Namespace == "") {
			return fmt.Errorf("%s.source.pvc: expected the source claim's namespace and name", at)
		}
	}
	if spec.SourceRef != nil {
		sources++
	}
	if sources != 1 {
		return fmt.Errorf("%s: expected exactly one source (source.* or sourceRef), found %d", at, sources)
	}
	var size resource.Quantity
	var ok bool
	switch {
	case spec.Storage != nil:
		size, ok = spec.Storage.Resources.Requests[corev1.ResourceStorage]
	case spec.PVC != nil:
		size, ok = spec.PVC.Resources.Requests[corev1.ResourceStorage]
	default:
		return fmt.Errorf("%s: expected storage (or pvc)", at)
	}
	if !ok || size.Sign() <= 0 {
		return fmt.Errorf("%s: expected a storage request above zero", at)
	}
	return nil
}

func contains[T comparable](list []T, v T) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// strict decodes as the API server's strict field validation would: unknown and duplicate fields are errors.
func strict(doc []byte, into any) error {
	if err := yaml.UnmarshalStrict(doc, into); err != nil {
		return fmt.Errorf("strict decoding: %v", err)
	}
	return nil
}
