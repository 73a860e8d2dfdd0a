# The two commands of the README, and the parts of the test run.
.PHONY: demo test bench reliability docs setup lock pytest units molecule lint sanity importer oldest clean

# scripts/no-leftovers.py: a target leaves no process running (an emulator, a browser), and names any it had to end.
demo:  ## the main job: the pre-change backup check against the embedded emulator, passing then blocked
	python3 scripts/no-leftovers.py scripts/demo.sh

test:  ## every test: ansible-test units, pytest integration tests, molecule, ansible-lint, docs, galaxy-importer, ansible-test sanity
	python3 scripts/no-leftovers.py scripts/test.sh

bench:  ## benchmark: modules vs an ansible.builtin.uri loop vs the lower bound, 20 ms latency, 10k and 100k jobs
	eval "$$(scripts/setup.sh)" && python3 scripts/no-leftovers.py python scripts/bench.py

reliability:  ## fault matrix, bad-input matrix and secrets sweep against the emulator, with figures
	eval "$$(scripts/setup.sh)" && python3 scripts/no-leftovers.py python scripts/reliability.py

docs:  ## the collection's docsite (antsibull-docs and Sphinx) in .build/docsite/build/html, failing on any page's error
	scripts/docs.sh site

setup:
	scripts/setup.sh >/dev/null

lock:  ## refresh test-constraints.txt and test-constraints-oldest.txt from the newest releases the requirements allow
	scripts/lock.sh

pytest: setup
	eval "$$(scripts/setup.sh)" && python3 scripts/no-leftovers.py python -m pytest -p no:cacheprovider -n 2 tests/unit tests/integration

units: setup
	eval "$$(scripts/setup.sh)" && python3 scripts/no-leftovers.py scripts/ansible-test.sh units

molecule: setup
	eval "$$(scripts/setup.sh)" && python3 scripts/no-leftovers.py molecule test --all

lint: setup
	eval "$$(scripts/setup.sh)" && ansible-lint --offline --profile production

sanity: setup
	eval "$$(scripts/setup.sh)" && scripts/ansible-test.sh sanity

importer:  ## galaxy-importer on the built tarball, as Galaxy runs it on an upload (no containers)
	scripts/galaxy-importer.sh

oldest:  ## the unit tests and the gate's playbook tests on the oldest supported ansible-core
	scripts/test-oldest.sh

clean:
	rm -rf .build .venv .venv-oldest .venv-importer
