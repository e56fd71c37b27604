// backup-crds: checks the backup objects the program renders (Velero's
// BackupStorageLocation and Schedule, VolSync's ReplicationSource and the
// restore runbook's ReplicationDestination) the way their controllers would
// read them.
//
//	backup-crds FILE...   # every YAML document of every file; exit 1 on the first kind of problem found
//
// Each document is decoded strictly into the project's own Go API types
// (an unknown or misspelt field, a wrong type, a bad duration is an error),
// Velero's objects are also validated against the OpenAPI schema of the CRDs
// Velero installs (compiled into its module), and every cron schedule is
// parsed with the cron library both controllers use.
package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	volsyncv1alpha1 "github.com/backube/volsync/api/v1alpha1"
	"github.com/robfig/cron/v3"
	velerocrds "github.com/vmware-tanzu/velero/config/crd/v1/crds"
	velerov1 "github.com/vmware-tanzu/velero/pkg/apis/velero/v1"
	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/validation"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

type typeMeta struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name string `json:"name"`
	} `json:"metadata"`
}

// Standard five-field cron, as Velero's schedule controller and VolSync's trigger parse it.
var cronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: backup-crds FILE...")
		os.Exit(2)
	}
	failed := false
	for _, file := range os.Args[1:] {
		data, err := os.ReadFile(file)
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", file, err)
			failed = true
			continue
		}
		docs, err := split(data)
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", file, err)
			failed = true
			continue
		}
		for i, doc := range docs {
			id, err := check(doc)
			if err != nil {
				fmt.Fprintf(os.Stderr, "%s: document %d (%s): %v\n", file, i+1, id, err)
				failed = true
				continue
			}
			fmt.Printf("ok %s %s\n", file, id)
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

func check(doc []byte) (string, error) {
	var meta typeMeta
	if err := yaml.Unmarshal(doc, &meta); err != nil {
		return "?", err
	}
	id := fmt.Sprintf("%s %s/%s", meta.APIVersion, meta.Kind, meta.Metadata.Name)
	if meta.Metadata.Name == "" {
		return id, errors.New("metadata.name is empty")
	}
	switch meta.APIVersion + " " + meta.Kind {
	case "velero.io/v1 BackupStorageLocation":
		var o velerov1.BackupStorageLocation
		if err := strict(doc, &o); err != nil {
			return id, err
		}
		if o.Spec.ObjectStorage == nil || o.Spec.ObjectStorage.Bucket == "" {
			return id, errors.New("spec.objectStorage.bucket is empty")
		}
		return id, againstCRD(doc, "backupstoragelocations.velero.io")
	case "velero.io/v1 Schedule":
		var o velerov1.Schedule
		if err := strict(doc, &o); err != nil {
			return id, err
		}
		if _, err := cronParser.Parse(o.Spec.Schedule); err != nil {
			return id, fmt.Errorf("spec.schedule %q: %v", o.Spec.Schedule, err)
		}
		if o.Spec.Template.TTL.Duration <= 0 {
			return id, errors.New("spec.template.ttl: expected a retention (Velero keeps a backup 30 days when it is unset)")
		}
		return id, againstCRD(doc, "schedules.velero.io")
	case "volsync.backube/v1alpha1 ReplicationSource":
		var o volsyncv1alpha1.ReplicationSource
		if err := strict(doc, &o); err != nil {
			return id, err
		}
		if o.Spec.SourcePVC == "" {
			return id, errors.New("spec.sourcePVC is empty")
		}
		if o.Spec.Trigger == nil || o.Spec.Trigger.Schedule == nil {
			return id, errors.New("spec.trigger.schedule is missing")
		}
		if _, err := cronParser.Parse(*o.Spec.Trigger.Schedule); err != nil {
			return id, fmt.Errorf("spec.trigger.schedule %q: %v", *o.Spec.Trigger.Schedule, err)
		}
		r := o.Spec.Restic
		if r == nil {
			return id, errors.New("spec.restic is missing (the restic mover is the one the program uses)")
		}
		if r.Repository == "" {
			return id, errors.New("spec.restic.repository is empty")
		}
		if r.Retain == nil {
			return id, errors.New("spec.restic.retain is missing (VolSync would keep every snapshot)")
		}
		if r.CopyMethod == "" {
			return id, errors.New("spec.restic.copyMethod is empty")
		}
		return id, nil
	case "volsync.backube/v1alpha1 ReplicationDestination":
		var o volsyncv1alpha1.ReplicationDestination
		if err := strict(doc, &o); err != nil {
			return id, err
		}
		if o.Spec.Trigger == nil || (o.Spec.Trigger.Manual == "" && o.Spec.Trigger.Schedule == nil) {
			return id, errors.New("spec.trigger: expected manual or a schedule")
		}
		r := o.Spec.Restic
		if r == nil || r.Repository == "" {
			return id, errors.New("spec.restic.repository is empty")
		}
		if r.DestinationPVC == nil || *r.DestinationPVC == "" {
			return id, errors.New("spec.restic.destinationPVC is empty (the restore goes into the app's own claim)")
		}
		return id, nil
	}
	return id, fmt.Errorf("not a kind this checker knows (BackupStorageLocation, Schedule of velero.io/v1; ReplicationSource, ReplicationDestination of volsync.backube/v1alpha1)")
}

// strict decodes as the API server's strict field validation would: unknown and duplicate fields are errors.
func strict(doc []byte, into any) error {
	if err := yaml.UnmarshalStrict(doc, into); err != nil {
		return fmt.Errorf("strict decoding: %v", err)
	}
	return nil
}

func againstCRD(doc []byte, crdName string) error {
	var crd *apiextv1.CustomResourceDefinition
	for _, c := range velerocrds.CRDs {
		if c.Name == crdName {
			crd = c
		}
	}
	if crd == nil {
		return fmt.Errorf("velero's module has no CRD %s", crdName)
	}
	var version *apiextv1.CustomResourceDefinitionVersion
	for i := range crd.Spec.Versions {
		if crd.Spec.Versions[i].Name == "v1" {
			version = &crd.Spec.Versions[i]
		}
	}
	if version == nil || version.Schema == nil || version.Schema.OpenAPIV3Schema == nil {
		return fmt.Errorf("CRD %s has no v1 schema", crdName)
	}
	internal := &apiextensions.JSONSchemaProps{}
	if err := apiextv1.Convert_v1_JSONSchemaProps_To_apiextensions_JSONSchemaProps(version.Schema.OpenAPIV3Schema, internal, nil); err != nil {
		return err
	}
	validator, _, err := validation.NewSchemaValidator(internal)
	if err != nil {
		return err
	}
	var obj map[string]any
	if err := yaml.Unmarshal(doc, &obj); err != nil {
		return err
	}
	if errs := validation.ValidateCustomResource(nil, obj, validator); len(errs) > 0 {
		return fmt.Errorf("against the CRD's schema: %v", errs.ToAggregate())
	}
	return nil
}
