"""Hostile contributor and model text for the HTML report tests: each string would, if it
ever ran, leave a mark (the page title, a data-pwned attribute) that the tests look for."""

HOSTILE_SEED = ("<img src=x onerror=\"document.title='pwned';"
                "document.body.setAttribute('data-pwned','seed')\">")
HOSTILE_ANSWER = ("</script><script>document.title='pwned'</script><!-- "
                  "<img src=x onerror=\"document.body.setAttribute('data-pwned','answer')\">")
