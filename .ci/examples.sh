#!/usr/bin/env bash
# The CI-engine examples in contrib/ci, checked as far as Debian can:
#  - every YAML file with yamllint (.ci/yamllint.yaml);
#  - LAVA with LAVA's own schemas (Debian's lava-common): the job, the test
#    definition, and the device dictionary rendered with the docker device
#    type template of Debian's lava-server package (downloaded, not
#    installed) and validated as a device configuration;
#  - GitLab CI and GitHub Actions: Debian packages no schema for either
#    (nor actionlint), so a structural check of the keys the examples rely on
#    (runner tags and exclusive groups, JUnit written where it is uploaded);
#  - the shell scripts with shellcheck, and the shell lines of each GitLab
#    job and GitHub step as the runner would run them;
#  - minivmm-lava-results against JUnit and --json output from minivmm's own
#    KTAP parser, JUnit and summary writers (src/runner), with a stand-in
#    lava-test-case that records its calls;
#  - run-minivmm.sh (the LAVA test step) with stand-ins for apt-get, wget,
#    minivmm and lava-test-case: the minivmm command it builds and the
#    cases it reports.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
ci_need yamllint shellcheck lava-common python3-yaml python3-jinja2 gcc
# Debian's python, which has the Debian packages' modules (not a pyenv one).
py=/usr/bin/python3
ex=$CI_TOP/contrib/ci
work=$(mktemp -d /tmp/minivmm-examples.XXXXXX)
trap 'rm -rf "$work"' EXIT

ci_log "== yamllint"
yamllint -c "$CI_DIR/yamllint.yaml" -f parsable "$ex" "$CI_DIR/yamllint.yaml" || ci_die "yamllint found problems"

ci_log "== LAVA job and test definition (lava_common.schemas)"
"$py" - "$ex/lava/job-docker.yaml" "$ex/lava/minivmm-test.yaml" <<'PY' || ci_die "LAVA schema check failed"
import sys, yaml
from lava_common.schemas import validate as validate_job
from lava_common.schemas.test.testdef import validate as validate_testdef
job = yaml.safe_load(open(sys.argv[1]))
validate_job(job, strict=True)
testdef = yaml.safe_load(open(sys.argv[2]))
validate_testdef(testdef)
# The job's parameters are params the test definition has.
for d in job['actions'][2]['test']['definitions']:
    extra = set(d.get('parameters', {})) - set(testdef['params'])
    assert not extra, 'job parameters the test definition does not know: %s' % extra
print('examples: LAVA job and test definition valid', file=sys.stderr)
PY

ci_log "== LAVA device dictionary (rendered with lava-server's docker.jinja2)"
templates=$CI_CACHE/lava-server-device-types
if [[ ! -f $templates/docker.jinja2 ]]; then
	(cd "$work" && apt-get download lava-server >/dev/null 2>&1) || ci_die "apt-get download lava-server failed"
	dpkg-deb -x "$work"/lava-server_*.deb "$work/lava-server"
	mkdir -p "$templates"
	cp "$work/lava-server/usr/share/lava-server/device-types/"{base,docker}.jinja2 "$templates/"
fi
"$py" - "$ex/lava" "$templates" <<'PY' || ci_die "the LAVA device dictionary does not render to a valid device"
import sys, yaml
from jinja2 import FileSystemLoader
from jinja2.sandbox import SandboxedEnvironment
from lava_common.schemas.device import validate
env = SandboxedEnvironment(loader=FileSystemLoader(sys.argv[1:]), trim_blocks=True, autoescape=False)
device = yaml.safe_load(env.get_template('device-dictionary.jinja2').render())
validate(device)
opts = device['actions']['boot']['methods']['docker']['options']
assert {'/dev/kvm', '/dev/vfio/vfio'} <= set(opts['devices']), opts['devices']
assert any(d.startswith('/dev/vfio/') and d[10:].isdigit() for d in opts['devices']), 'no IOMMU group device'
assert any(a.startswith('--env MINIVMM_BDF=') for a in opts['extra_arguments']), 'no MINIVMM_BDF'
print('examples: LAVA device dictionary renders: devices %s, extra arguments %s'
      % (opts['devices'], opts['extra_arguments']), file=sys.stderr)
PY

ci_log "== GitLab CI and GitHub Actions (structure; Debian packages no schema)"
mkdir "$work/scripts"
"$py" - "$ex/gitlab/gitlab-ci.yml" "$ex/github/minivmm.yml" "$work/scripts" <<'PY' || ci_die "a CI example lacks what it needs"
import re, shlex, sys, yaml
gl = yaml.safe_load(open(sys.argv[1]))
jobs = {k: v for k, v in gl.items() if isinstance(v, dict) and 'script' in v}
assert jobs, 'GitLab: no job with a script'
templates = {k: v for k, v in gl.items() if k.startswith('.') and isinstance(v, dict)}
runs = 0
for name, j in jobs.items():
    for t in ([j['extends']] if isinstance(j.get('extends'), str) else j.get('extends', [])):
        assert t in templates, '%s: extends %s, which the file lacks' % (name, t)
        j = {**templates[t], **j}
    assert j.get('tags') and j.get('resource_group'), '%s: no runner tag or resource_group' % name
    assert j.get('stage') in gl.get('stages', ['test']), '%s: unknown stage' % name
    assert isinstance(j['script'], list) and all(isinstance(s, str) for s in j['script']), name
    if not any('--assign' in s for s in j['script']):
        continue  # no guest run (doctor): nothing to report
    runs += 1
    assert j['artifacts']['reports']['junit'], '%s: no JUnit report' % name
    assert j['artifacts'].get('when') == 'always', '%s: JUnit lost when the job fails' % name
    assert any('--junit ' + j['artifacts']['reports']['junit'] in s for s in j['script']), \
        '%s: minivmm writes no JUnit where the report is' % name
assert runs, 'GitLab: no job runs a guest'
gh = yaml.safe_load(open(sys.argv[2]))
runs = 0
assert 'on' in gh and gh['jobs'], 'GitHub: no trigger or no jobs'
for name, j in gh['jobs'].items():
    assert 'self-hosted' in j['runs-on'], '%s: minivmm needs the test host (self-hosted)' % name
    for s in j['steps']:
        assert ('uses' in s) != ('run' in s), '%s: a step needs exactly one of uses/run: %s' % (name, s)
    up = [s for s in j['steps'] if s.get('uses', '').startswith('actions/upload-artifact@')]
    assert up and up[0].get('if') == 'always()', '%s: no JUnit upload that runs on failure' % name
    uploaded = up[0]['with']['path'].split()
    for s in j['steps']:
        m = re.search(r'--junit (\S+)', s.get('run', ''))
        if m:
            assert m.group(1) in uploaded, '%s: %s is not uploaded (%s)' % (name, m.group(1), uploaded)
            runs += 1
assert runs == len(gh['jobs']), 'GitHub: a job runs no guest with --junit'
# Each script for shellcheck: GitLab's jobs (sh -e, lines in turn) and
# GitHub's run steps (bash -e -o pipefail), with the variables they set.
out = sys.argv[3]
def script(path, shell, variables, lines):
    with open(path, 'w') as f:
        f.write('#!/bin/%s\nset -e\n' % shell)
        for k, v in variables.items():
            f.write('export %s=%s\n' % (k, shlex.quote(str(v))))
        f.write('\n'.join(lines) + '\n')
for name, j in jobs.items():
    script('%s/gitlab-%s.sh' % (out, name), 'sh', {**gl.get('variables', {}), **j.get('variables', {})},
           j['script'])
for name, j in gh['jobs'].items():
    for i, s in enumerate(j['steps']):
        if 'run' in s:
            script('%s/github-%s-%d.sh' % (out, name, i), 'bash',
                   {**gh.get('env', {}), **j.get('env', {}), **s.get('env', {})}, [s['run']])
print('examples: GitLab CI and GitHub Actions examples have their jobs, JUnit reports and uploads',
      file=sys.stderr)
PY

ci_log "== shellcheck (the scripts, and the GitLab and GitHub jobs' shell lines)"
shellcheck -x -P SCRIPTDIR "$ex/lava/run-minivmm.sh" "$CI_DIR"/*.sh || ci_die "shellcheck found problems"
(cd "$work/scripts" && shellcheck ./*.sh) || ci_die "shellcheck found problems in the CI examples' jobs"

ci_log "== minivmm-lava-results on JUnit from minivmm's KTAP parser and writer"
cat >"$work/ktap2junit.c" <<'C'
/* KTAP lines on stdin -> minivmm's JUnit on stdout, with src/runner's parser and writer. */
#include <stdio.h>
#include <string.h>
#include "minivmm/runner/ktap.h"
int main(void)
{
	struct ktap_parser *p = ktap_new(NULL, NULL);
	char line[4096];

	if (!p)
		return 1;
	while (fgets(line, sizeof(line), stdin)) {
		line[strcspn(line, "\n")] = 0;
		ktap_feed(p, line);
	}
	ktap_finish(p);
	return junit_write(stdout, p, "minivmm", 1.5) ? 1 : 0;
}
C
gcc -std=gnu11 -Wall -Wextra -Werror -I"$CI_TOP/include" -o "$work/ktap2junit" "$work/ktap2junit.c" \
	"$CI_TOP/src/runner/ktap.c" "$CI_TOP/src/runner/ktap_line.c" "$CI_TOP/src/runner/junit.c" -lm ||
	ci_die "cannot build the KTAP-to-JUnit driver"
cat >"$work/run.ktap" <<'K'
KTAP version 1
1..4
    KTAP version 1
    # Subtest: e1000e
    1..2
    ok 1 link up
    not ok 2 irq count
not ok 1 e1000e
ok 2 ping 3 packets
ok 3 ethtool selftest # SKIP no ethtool
not ok 4 ping
K
"$work/ktap2junit" <"$work/run.ktap" >"$work/junit.xml" || ci_die "the KTAP-to-JUnit driver failed"
mkdir "$work/bin"
# A stand-in for LAVA's lava-test-case: records its arguments.
printf '#!/bin/sh\necho "$*" >>"%s"\n' "$work/calls" >"$work/bin/lava-test-case"
chmod +x "$work/bin/lava-test-case"
PATH=$work/bin:$PATH "$py" "$ex/lava/minivmm-lava-results" --junit "$work/junit.xml" --status 1 ||
	ci_die "minivmm-lava-results failed"
cat >"$work/expected" <<'E'
e1000e.link_up --result pass
e1000e.irq_count --result fail
minivmm.ping_3_packets --result pass
minivmm.ethtool_selftest --result skip
minivmm.ping --result fail
minivmm-status --result fail --measurement 1 --units status
E
# The suites' order is the writer's; compare as sets.
diff <(sort "$work/expected") <(sort "$work/calls") >&2 ||
	{ cat "$work/junit.xml" >&2; ci_die "minivmm-lava-results reported other cases than the JUnit has"; }
# No JUnit (minivmm stopped early): the "tests:" line of its stderr.
rm -f "$work/calls"
printf 'minivmm: error: timed out after 600 s (--timeout)\nminivmm: tests: 5 passed, 2 failed, 1 skipped\n' >"$work/err"
PATH=$work/bin:$PATH "$py" "$ex/lava/minivmm-lava-results" --junit "$work/none.xml" --stderr "$work/err" \
	--status 124 2>/dev/null || ci_die "minivmm-lava-results failed on the tests: line"
cat >"$work/expected" <<'E'
minivmm-tests-passed --result pass --measurement 5 --units tests
minivmm-tests-failed --result fail --measurement 2 --units tests
minivmm-tests-skipped --result pass --measurement 1 --units tests
minivmm-status --result fail --measurement 124 --units status
E
diff "$work/expected" "$work/calls" >&2 || ci_die "minivmm-lava-results misread the tests: line"

# --json: three runs as minivmm --kernel-package writes them (a line each, the
# kernel's release in it), from src/runner/summary.c's writer.
cat >"$work/ktap2json.c" <<'C'
/* KTAP lines on stdin -> one line of minivmm's --json summary on stdout, with
 * src/runner's parser and summary writer. Arguments: RELEASE (or -) STATUS. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "minivmm/runner/ktap.h"
#include "minivmm/runner/summary.h"
int main(int argc, char **argv)
{
	struct ktap_parser *p = ktap_new(NULL, NULL);
	struct run_summary s = { .version = "0.1", .kernel = "vmlinuz", .cmdline = "console=ttyS0", .cpus = 2,
				 .mem_bytes = 512u << 20, .seed = 1, .duration_s = 1.5 };
	struct json_out o;
	char line[4096];

	if (!p || argc != 3)
		return 1;
	while (fgets(line, sizeof(line), stdin)) {
		line[strcspn(line, "\n")] = 0;
		ktap_feed(p, line);
	}
	ktap_finish(p);
	if (strcmp(argv[1], "-"))
		s.kernel_release = argv[1];
	s.status = atoi(argv[2]);
	s.reason = s.status ? "a test failed" : "the guest powered off";
	s.ktap = p;
	json_out_init(&o, 1 << 20);
	run_summary_write(&s, &o);
	if (o.failed)
		return 1;
	puts(json_out_text(&o));
	json_out_free(&o);
	return 0;
}
C
gcc -std=gnu11 -Wall -Wextra -Werror -I"$CI_TOP/include" -o "$work/ktap2json" "$work/ktap2json.c" \
	"$CI_TOP/src/runner/summary.c" "$CI_TOP/src/runner/ktap.c" "$CI_TOP/src/runner/ktap_line.c" \
	"$CI_TOP/src/runner/klog.c" "$CI_TOP/src/runner/klog_match.c" "$CI_TOP/src/runner/klog_title.c" \
	"$CI_TOP/src/ctl/json.c" "$CI_TOP/src/eventlog.c" -lm || ci_die "cannot build the KTAP-to-JSON driver"
printf 'TAP version 13\n1..3\nok 1 - probe\nok 2 - ping # TODO flaky link\nok 3 - ethtool # SKIP none\n' |
	"$work/ktap2json" 6.1.0-27-amd64 0 >"$work/run.json" || ci_die "the KTAP-to-JSON driver failed"
"$work/ktap2json" 6.1.0-27-rt-amd64 1 <"$work/run.ktap" >>"$work/run.json" || ci_die "the KTAP-to-JSON driver failed"
# A block "not ok" although its subtests passed: the parser's error, reported.
printf 'KTAP version 1\n1..1\n    KTAP version 1\n    # Subtest: nvme\n    1..1\n    ok 1 probe\nnot ok 1 nvme\n' |
	"$work/ktap2json" 6.12.9-amd64 1 >>"$work/run.json" || ci_die "the KTAP-to-JSON driver failed"
rm -f "$work/calls"
PATH=$work/bin:$PATH "$py" "$ex/lava/minivmm-lava-results" --json "$work/run.json" --status 1 ||
	ci_die "minivmm-lava-results --json failed"
cat >"$work/expected" <<'E'
6.1.0-27-amd64.probe --result pass
6.1.0-27-amd64.ping --result pass
6.1.0-27-amd64.ethtool --result skip
6.1.0-27-amd64.minivmm-run --result pass --measurement 0 --units status
6.1.0-27-rt-amd64.e1000e.link_up --result pass
6.1.0-27-rt-amd64.e1000e.irq_count --result fail
6.1.0-27-rt-amd64.ping_3_packets --result pass
6.1.0-27-rt-amd64.ethtool_selftest --result skip
6.1.0-27-rt-amd64.ping --result fail
6.1.0-27-rt-amd64.minivmm-run --result fail --measurement 1 --units status
6.12.9-amd64.nvme.probe --result pass
6.12.9-amd64.nvme --result fail
6.12.9-amd64.minivmm-run --result fail --measurement 1 --units status
minivmm-status --result fail --measurement 1 --units status
E
diff <(sort "$work/expected") <(sort "$work/calls") >&2 ||
	{ cat "$work/run.json" >&2; ci_die "minivmm-lava-results reported other cases than the JSON has"; }
# A broken JSON file is a failed case, not a silent pass.
rm -f "$work/calls"
echo '{"status": ' >"$work/bad.json"
PATH=$work/bin:$PATH "$py" "$ex/lava/minivmm-lava-results" --json "$work/bad.json" 2>/dev/null ||
	ci_die "minivmm-lava-results failed on a broken JSON file"
[[ $(cat "$work/calls") == "minivmm-json --result fail" ]] ||
	ci_die "a broken JSON file: reported '$(cat "$work/calls")', not minivmm-json failed"
ci_log "minivmm-lava-results: JUnit, --json and the tests: line give the cases expected"

ci_log "== run-minivmm.sh (the LAVA test step) with stand-in tools"
# Stand-ins: apt-get download and wget make empty .debs, apt-cache resolves the
# metapackage, minivmm records its command line and writes --json from
# $work/run.json; each records its call.
mkdir "$work/step" "$work/stubs"
cat >"$work/stubs/apt-get" <<'S'
#!/bin/sh
echo "apt-get $*" >>"$CALLS.tools"
[ "$1" = download ] && : >"./$2_1.0_amd64.deb"
exit 0
S
cat >"$work/stubs/apt-cache" <<'S'
#!/bin/sh
[ "$1 $2" = "depends linux-image-amd64" ] && printf '%s\n' linux-image-amd64 '  Depends: linux-image-6.1.0-27-amd64'
exit 0
S
cat >"$work/stubs/wget" <<'S'
#!/bin/sh
echo "wget $*" >>"$CALLS.tools"
[ "$2" = -O ] && : >"$3"
exit 0
S
cat >"$work/stubs/minivmm" <<'S'
#!/bin/sh
[ "$1" = doctor ] && { echo "minivmm: doctor: ready"; exit 0; }
echo "minivmm $*" >>"$CALLS.minivmm"
while [ $# -gt 0 ]; do
	[ "$1" = --json ] && cp "$SAMPLE_JSON" "$2"
	shift
done
echo "minivmm: tests: 4 passed, 3 failed, 2 skipped" >&2
exit 1
S
cp "$work/bin/lava-test-case" "$work/stubs/"
sed -i "s|$work/calls|\$CALLS|" "$work/stubs/lava-test-case"
chmod +x "$work/stubs/"*
rc=0
(cd "$work/step" && env -i PATH="$work/stubs:/usr/bin:/bin" TMPDIR="$work/step" CALLS="$work/step/calls" \
	SAMPLE_JSON="$work/run.json" MINIVMM_BDF=0000:03:00.0 MINIVMM_DEB_URL=https://ci.example.org/minivmm.deb \
	KERNEL_PACKAGE="linux-image-amd64 https://ci.example.org/linux-image-6.1.0-27-rt-amd64.deb" \
	TEST_CMD="ping -c 3 192.0.2.1" TIMEOUT=300 MEM=1G CPUS=2 \
	sh "$ex/lava/run-minivmm.sh" >"$work/step.log" 2>&1) || rc=$?
((rc == 0)) || { cat "$work/step.log" >&2; ci_die "run-minivmm.sh exited with $rc (a LAVA step reports, it does not fail)"; }
k=$work/step/minivmm-lava/kernel
want="minivmm --kernel-package $k/1.deb --kernel-package $k/2.deb --assign 0000:03:00.0 --no-rebind --mem 1G"
want+=" --cpus 2 --timeout 300 --json $work/step/minivmm-lava/minivmm.json --junit $work/step/minivmm-lava/junit.xml"
want+=" --run ping -c 3 192.0.2.1"
[[ $(cat "$work/step/calls.minivmm") == "$want" ]] ||
	{ cat "$work/step.log" >&2; ci_die "run-minivmm.sh ran '$(cat "$work/step/calls.minivmm")', expected '$want'"; }
grep -qx 'apt-get download linux-image-6.1.0-27-amd64' "$work/step/calls.tools" ||
	ci_die "run-minivmm.sh did not download the package linux-image-amd64 depends on"
grep -qx "wget -q -O $k/2.deb https://ci.example.org/linux-image-6.1.0-27-rt-amd64.deb" "$work/step/calls.tools" ||
	ci_die "run-minivmm.sh did not fetch the kernel package given as a URL"
{ echo "minivmm-doctor --result pass"; cat "$work/expected"; } >"$work/expected.step"
diff <(sort "$work/expected.step") <(sort "$work/step/calls") >&2 ||
	ci_die "run-minivmm.sh reported other cases than minivmm's JSON has"
ci_log "run-minivmm.sh: minivmm --kernel-package x2 --json, $(wc -l <"$work/step/calls") cases reported"

ci_log "== contrib/ci/README.md describes every example"
for f in "$ex"/*/*; do
	grep -qE "\`([a-z]+/)?$(basename "$f")\`" "$ex/README.md" || ci_die "contrib/ci/README.md does not name ${f#"$CI_TOP"/}"
done

ci_log "the CI-engine examples pass their checks"
