"""Tests of the bundler (`build.imports`, `build.bundle`, `build.loader`)."""
