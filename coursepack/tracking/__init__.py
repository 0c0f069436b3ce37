"""What the LMS packages (SCORM 1.2, SCORM 2004, cmi5, xAPI) share.

Each package is the HTML packet under `course/`, a launch page that keeps the
one LMS connection for the whole launch and lends the packet a progress
`coursepackHost`, and a control document (imsmanifest.xml, cmi5.xml or tincan.xml):

- `text`: plain text and identifiers for control documents and LMS reports;
- `metadata`: the course facts every control document states;
- `answer_key`: how each question is reported as an interaction;
- `launch`: the launch page, its configuration and the package's files;
- `budget`: the worst-case size of the resume data, checked against the limits;
- `manifest_scorm12`, `manifest_scorm2004`, `cmi5_structure`, `tincan_structure`: the XML.
"""
