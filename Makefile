# The two commands of the README, and the parts of the test run.
.PHONY: demo test setup pytest molecule lint sanity clean

demo:  ## the main job: recent backup jobs of all sources, against the embedded emulator
	scripts/demo.sh

test:  ## every test: pytest, molecule, ansible-lint, ansible-test sanity
	scripts/test.sh

setup:
	scripts/setup.sh >/dev/null

pytest: setup
	eval "$$(scripts/setup.sh)" && python -m pytest -p no:cacheprovider tests/unit tests/integration

molecule: setup
	eval "$$(scripts/setup.sh)" && molecule test --all

lint: setup
	eval "$$(scripts/setup.sh)" && ansible-lint --offline --profile production

sanity: setup
	eval "$$(scripts/setup.sh)" && scripts/sanity.sh

clean:
	rm -rf .build .venv
