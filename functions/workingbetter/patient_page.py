"""The one page a patient sees: leaving the service from the link in their messages.
Plain HTML that works without JavaScript or styles, on any phone."""

LEAVE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Leave Working Better</title></head>
<body>
<main>
<h1>Leave Working Better</h1>
<p>Working Better is your choice. You can stop at any time, and leaving does not affect your
benefits or your care at the surgery.</p>
<form method="post">
  <p><input type="checkbox" id="erase" name="erase" value="yes">
  <label for="erase">Also delete the details you gave us (name, contact details, health
  conditions)</label></p>
  <p><button type="submit">Leave Working Better</button></p>
</form>
<p>If you want to come back later, ask your GP surgery.</p>
</main>
</body>
</html>
"""
